package io.pipekit.client.cli;

import io.pipekit.client.PipeAddress;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.PipeBusyException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.BasicHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.util.Timeout;
import io.pipekit.client.cli.ClientCommand.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pipe-client http PATH}: curl for pipes. One HTTP/1.1 request to an HTTP server on a named
 * pipe or Unix socket (the Docker engine, by default), made by Apache HttpClient 5 over
 * {@link PipeSocketFactory}; the response body goes to stdout as it comes. The exit status says how
 * it went: {@value #OK} for a 1xx, 2xx or 3xx status, {@value #HTTP_ERROR} for a 4xx or 5xx status
 * (the body is printed all the same), {@value #TRANSPORT_FAILURE} when no answer came (no such pipe,
 * refused, cut off mid-response), {@value #TIMED_OUT} when {@code --max-time} passed first, as
 * curl's 22, 7 and 28.
 */
@Command(name = "http", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sends one HTTP request over a pipe or Unix socket and prints the response body (curl for pipes).",
                "--name takes any form of PipeAddress: docker_engine, \\\\.\\pipe\\docker_engine, npipe:////./pipe/docker_engine, "
                        + "unix:///var/run/docker.sock, /var/run/docker.sock; without --name, DOCKER_HOST, else Docker's default.",
                "Exit status: 0 for a 1xx-3xx status, 22 for a 4xx or 5xx status, 7 when the request got no answer "
                        + "(no such pipe, refused, cut off), 28 when --max-time passed first, 1 for any other error, 2 for a usage error."},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:a 1xx, 2xx or 3xx status", "22:a 4xx or 5xx status (the body is printed)",
                "7:no answer: no such pipe or socket, refused, or cut off", "28:--max-time passed before the response ended",
                "1:any other error", "2:a usage error"})
final class HttpCommand implements Callable<Integer> {
    /** A 1xx, 2xx or 3xx status. */
    static final int OK = 0;
    /** A 4xx or 5xx status: curl's exit status for it (with {@code --fail}). */
    static final int HTTP_ERROR = 22;
    /** No answer: the pipe is absent or refused, or the connection broke: curl's "could not connect". */
    static final int TRANSPORT_FAILURE = 7;
    /** {@code --max-time} passed before the response ended: curl's "operation timeout". */
    static final int TIMED_OUT = 28;

    @ParentCommand
    ClientCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "The request's path and query, e.g. /version or /containers/json?all=1.")
    String path;

    @Option(names = {"-X", "--request"}, paramLabel = "METHOD", description = "The method (default: GET, or POST with -d).")
    String method;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "A request header; repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-d", "--data"}, paramLabel = "DATA", description = "The request body, sent as is; @FILE sends the file's bytes.")
    String data;

    @Option(names = {"-i", "--include"}, description = "Print the response's status line and headers, then a blank line, before the body.")
    boolean include;

    @Option(names = {"-m", "--max-time"}, paramLabel = "SECONDS", converter = Seconds.class,
            description = "The most the whole request may take, connect to the response's end, in seconds (fractions allowed, as 0.5; at least 0.001);"
                    + " then exit 28. Default: no limit.")
    Duration maxTime;

    @Override
    public Integer call() throws Exception {
        PipeAddress address = address();
        HttpUriRequestBase request = new HttpUriRequestBase(method(), java.net.URI.create("http://localhost" + path()));
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("-H takes 'NAME: VALUE', not '" + header + "'");
            }
            request.addHeader(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
        if (data != null) {
            request.setEntity(body());
        }
        // A busy pipe is retried no longer than the whole request may take.
        Duration connectTimeout = maxTime != null && maxTime.compareTo(parent.timeout) < 0 ? maxTime : parent.timeout;
        PipeSocketFactory sockets = PipeSocketFactory.of(address).withConnectTimeout(connectTimeout);
        Deadline deadline = new Deadline(request);
        // One request, one connection: a basic (unpooled) manager whose every socket is the pipe's,
        // as the Docker recipe of docs/sockets.md, and no TLS (the registry of TLS strategies is empty).
        BasicHttpClientConnectionManager connections = new BasicHttpClientConnectionManager(
                new DefaultHttpClientConnectionOperator(proxy -> deadline.watch(sockets.createSocket()), null, null,
                        RegistryBuilder.<TlsSocketStrategy>create().build()), null);
        // HttpClient passes its own connect timeout (3 minutes unless told) to every connect: the
        // command's bound, so that neither it nor the factory's outlasts --timeout and --max-time.
        connections.setConnectionConfig(ConnectionConfig.custom().setConnectTimeout(connectTimeout(connectTimeout)).build());
        PrintStream out = System.out;
        // The response's status once its body was read to the end and printed: from then on the
        // result stands, whatever the deadline or the connection's release does.
        AtomicReference<Integer> answered = new AtomicReference<>();
        if (maxTime != null) {
            deadline.start(maxTime);
        }
        // Never reused (one request): its release then only closes it, and asks nothing of a socket
        // the deadline may have closed a moment after the response's last byte.
        try (CloseableHttpClient http = HttpClients.custom().setConnectionManager(connections)
                .setConnectionReuseStrategy((req, resp, context) -> false)
                .disableAutomaticRetries().disableRedirectHandling().disableCookieManagement().build(); deadline) {
            Integer status = http.execute(request, response -> {
                if (include) {
                    StringBuilder head = new StringBuilder();
                    head.append(response.getVersion()).append(' ').append(response.getCode());
                    if (response.getReasonPhrase() != null && !response.getReasonPhrase().isEmpty()) {
                        head.append(' ').append(response.getReasonPhrase());
                    }
                    head.append("\r\n");
                    for (Header header : response.getHeaders()) {
                        head.append(header.getName()).append(": ").append(header.getValue()).append("\r\n");
                    }
                    head.append("\r\n");
                    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                }
                HttpEntity entity = response.getEntity();
                if (entity != null) {
                    entity.writeTo(new Unclosed(out));
                }
                out.flush();
                int result = response.getCode() >= 400 ? HTTP_ERROR : OK;
                deadline.answered();
                answered.set(result);
                return result;
            });
            return status;
        } catch (IOException e) {
            if (answered.get() != null) {
                return answered.get(); // the whole response came and was printed: a later failure changes nothing
            }
            if (deadline.passed() || maxTimeBoundTheConnect() && e instanceof PipeBusyException) {
                // The deadline cut it off (whatever the failure it caused looks like): curl's 28.
                spec.commandLine().getErr().println("pipe-client: http: operation timed out: no complete answer from " + address
                        + " within " + DurationConverter.format(maxTime) + " (--max-time)");
                spec.commandLine().getErr().flush();
                return TIMED_OUT;
            }
            // No answer came, or it broke off: one typed line, and the status that says so.
            spec.commandLine().getErr().println("pipe-client: http: no answer from " + address + ": " + describe(e));
            spec.commandLine().getErr().flush();
            if (parent.verbose) {
                e.printStackTrace(spec.commandLine().getErr());
            }
            return TRANSPORT_FAILURE;
        }
    }

    /**
     * Whether --max-time, not --timeout, bounded the wait for a busy pipe: then a pipe busy until
     * that bound is --max-time passing, whichever of the connect and the deadline's timer saw it first.
     */
    private boolean maxTimeBoundTheConnect() {
        return maxTime != null && maxTime.compareTo(parent.timeout) <= 0;
    }

    /** In whole milliseconds, rounded up: HttpClient takes 0 as no limit, and a bound must stay one. */
    private static Timeout connectTimeout(Duration bound) {
        if (bound.isZero()) {
            return Timeout.ZERO_MILLISECONDS; // one attempt: HttpClient's 0 defers to the factory's, which is 0
        }
        long millis = bound.toMillis() + (bound.minusMillis(bound.toMillis()).isZero() ? 0 : 1);
        return Timeout.ofMilliseconds(millis);
    }

    /** --name when given (before or after {@code http}), else DOCKER_HOST or Docker's default. */
    private PipeAddress address() {
        boolean named = spec.commandLine().getParseResult().hasMatchedOption("--name")
                || spec.parent().commandLine().getParseResult().hasMatchedOption("--name");
        return named ? PipeAddress.parse(parent.name) : PipeAddress.dockerHost();
    }

    private String method() {
        return method != null ? method.toUpperCase(Locale.ROOT) : data != null ? "POST" : "GET";
    }

    private String path() {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("PATH starts with /, as in /version, not '" + path + "'");
        }
        return path;
    }

    private HttpEntity body() throws IOException {
        byte[] bytes = data.startsWith("@") ? Files.readAllBytes(Path.of(data.substring(1))) : data.getBytes(StandardCharsets.UTF_8);
        // Content-Type comes from -H when the caller gives one; the entity's own is only a default.
        boolean typed = headers.stream().anyMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("content-type:"));
        return new ByteArrayEntity(bytes, typed ? null : ContentType.APPLICATION_JSON);
    }

    /**
     * The failure's type and message. HttpClient rethrows a failed connect as its own
     * {@link HttpHostConnectException}, a {@code ConnectException} whose message prefixes the URL's
     * made-up host and port to pipekit's and which drops pipekit's typed cause: the line names it a
     * {@code ConnectException} and keeps pipekit's words only. Other failures (a busy pipe's
     * {@code PipeBusyException}, a connection cut mid-response) come through as they are thrown.
     */
    static String describe(IOException e) {
        if (e instanceof HttpHostConnectException) {
            String message = String.valueOf(e.getMessage());
            int failed = message.indexOf(" failed: ");
            return "ConnectException: " + (failed >= 0 ? message.substring(failed + " failed: ".length()) : message);
        }
        String line = e.getClass().getSimpleName() + ": " + e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getClass() != e.getClass()) {
            line += " (" + cause.getClass().getSimpleName() + ")";
        }
        return line;
    }

    /**
     * {@code --max-time}: when it passes before the request is over, the request is cancelled and
     * its socket closed, which ends a blocked read or write at once (the socket's contract), so
     * nothing waits on a silent server. Whether it passed decides the exit status.
     */
    private static final class Deadline implements AutoCloseable {
        private final Cancellable request;
        private final Object lock = new Object();
        private Socket socket; // the request's connection, once made; guarded by lock
        private boolean passed; // guarded by lock
        private boolean over; // guarded by lock
        private Thread timer;

        Deadline(Cancellable request) {
            this.request = request;
        }

        Socket watch(Socket made) {
            synchronized (lock) {
                socket = made;
                if (!passed) {
                    return made;
                }
            }
            closeQuietly(made); // made as the deadline passed
            return made;
        }

        void start(Duration after) {
            timer = new Thread(() -> {
                try {
                    Thread.sleep(after.toMillis(), (int) (after.toNanos() % 1_000_000));
                } catch (InterruptedException e) {
                    return; // the request ended first
                }
                Socket open;
                synchronized (lock) {
                    if (over) {
                        return;
                    }
                    passed = true;
                    open = socket;
                }
                request.cancel();
                if (open != null) {
                    closeQuietly(open);
                }
            }, "pipe-client http --max-time");
            timer.setDaemon(true);
            timer.start();
        }

        boolean passed() {
            synchronized (lock) {
                return passed;
            }
        }

        /** The whole response came: a deadline that has not passed yet no longer applies. */
        void answered() {
            synchronized (lock) {
                over = true;
            }
        }

        /** The request is over: the deadline no longer applies. */
        @Override
        public void close() {
            synchronized (lock) {
                over = true;
            }
            if (timer != null) {
                timer.interrupt();
            }
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing to end the request: nothing more to do
            }
        }
    }

    /** {@code --max-time}: seconds as curl takes them, fractions allowed; more than zero. */
    static final class Seconds implements picocli.CommandLine.ITypeConverter<Duration> {
        private static final java.math.BigDecimal MIN_SECONDS = new java.math.BigDecimal("0.001");

        @Override
        public Duration convert(String value) {
            java.math.BigDecimal seconds;
            try {
                seconds = new java.math.BigDecimal(value.strip());
            } catch (NumberFormatException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a number of seconds (as 10 or 0.5)");
            }
            if (seconds.signum() <= 0) {
                throw new picocli.CommandLine.TypeConversionException("--max-time must be more than 0 seconds, not " + value);
            }
            // Less would round to no time at all somewhere (a connect timeout in milliseconds).
            if (seconds.compareTo(MIN_SECONDS) < 0) {
                throw new picocli.CommandLine.TypeConversionException("--max-time must be at least 0.001 seconds, not " + value);
            }
            return Duration.ofNanos(seconds.movePointRight(9).min(java.math.BigDecimal.valueOf(Long.MAX_VALUE)).longValue());
        }
    }

    /** stdout, which HttpClient's entity must not close: later output (and the JVM) still write it. */
    private static final class Unclosed extends java.io.FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
