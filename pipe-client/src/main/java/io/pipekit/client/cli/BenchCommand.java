package io.pipekit.client.cli;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.Transport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipe-client bench}: a load generator. N clients, each on its own connection and
 * thread, send messages of a given size and time every round trip; the report gives round
 * trips per second and the median, p99 and maximum round-trip times, as text or JSON.
 *
 * <p>Messages are text in the chosen encoding (for UTF-16LE, {@code x}s and the NUL), so the
 * sample-compatible server and any echo server both accept them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures round trips against a running server: throughput, median, p99 and max.",
        sortOptions = false)
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    ClientCommand parent;

    @Option(names = {"-c", "--clients"}, defaultValue = "1", paramLabel = "N", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = {"-s", "--size"}, defaultValue = "64", paramLabel = "BYTES", description = "Message size in bytes (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = {"-r", "--round-trips"}, defaultValue = "10000", paramLabel = "N",
            description = "Timed round trips per client (default: ${DEFAULT-VALUE}); ignored with --duration.")
    int roundTrips;

    @Option(names = {"-d", "--duration"}, paramLabel = "TIME", converter = ClientCommand.DurationConverter.class,
            description = "Run the timed part for this long instead of a fixed count: 10s, 500ms.")
    Duration duration;

    @Option(names = {"-w", "--warmup"}, defaultValue = "1000", paramLabel = "N", description = "Untimed round trips per client first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--transport", paramLabel = "TRANSPORT",
            description = "windows_named_pipes or unix_domain_sockets (default: this OS's).")
    Transport transport;

    @Option(names = "--json", description = "Print the result as one JSON object instead of text.")
    boolean json;

    @Option(names = "--no-progress", negatable = true, description = "No progress line on stderr while running.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || size < 2 || roundTrips < 1 || warmup < 0) {
            throw new IllegalArgumentException("--clients and --round-trips must be at least 1, --size at least 2, --warmup at least 0");
        }
        byte[] message = MessageCodecs.text(parent.encoding).encode("x".repeat(textLength()));
        Transport chosen = transport != null ? transport : Transport.forThisOs();
        AtomicLong done = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[]>> results = new ArrayList<>();
        long deadlineNanos = duration == null ? Long.MAX_VALUE : duration.toNanos();
        for (int i = 0; i < clients; i++) {
            results.add(pool.submit(() -> runClient(chosen, message, ready, go, done, deadlineNanos)));
        }
        ready.await();
        long started = System.nanoTime();
        go.countDown();
        Thread progress = startProgress(done, started);
        long[] all;
        try {
            List<long[]> perClient = new ArrayList<>();
            for (Future<long[]> result : results) {
                perClient.add(result.get());
            }
            all = perClient.stream().flatMapToLong(Arrays::stream).toArray();
        } finally {
            pool.shutdownNow();
            if (progress != null) {
                progress.interrupt();
                progress.join();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        report(chosen, message.length, all, seconds);
        return 0;
    }

    /** Characters that make a message of about {@code size} bytes in the chosen encoding. */
    private int textLength() {
        boolean utf16 = MessageCodecs.text(parent.encoding) == MessageCodecs.tcharText();
        return utf16 ? Math.max(0, size / 2 - 1) : size;
    }

    private long[] runClient(Transport chosen, byte[] message, CountDownLatch ready, CountDownLatch go, AtomicLong done,
            long durationNanos) throws Exception {
        try (PipeClient client = PipeClient.builder(parent.name).transport(chosen).connectTimeout(parent.timeout).connect()) {
            Messages messages = new Messages(client, parent.frame);
            for (int i = 0; i < warmup; i++) {
                messages.transact(message);
            }
            ready.countDown();
            go.await();
            long[] nanos = new long[durationNanos == Long.MAX_VALUE ? roundTrips : 1024];
            int n = 0;
            long start = System.nanoTime();
            while (durationNanos == Long.MAX_VALUE ? n < roundTrips : System.nanoTime() - start < durationNanos) {
                long t = System.nanoTime();
                messages.transact(message);
                if (n == nanos.length) {
                    nanos = Arrays.copyOf(nanos, n * 2);
                }
                nanos[n++] = System.nanoTime() - t;
                done.incrementAndGet();
            }
            return Arrays.copyOf(nanos, n);
        } finally {
            ready.countDown(); // a client that failed to connect must not hold the others back
        }
    }

    private Thread startProgress(AtomicLong done, long started) {
        if (noProgress) {
            return null;
        }
        PrintWriter err = new PrintWriter(System.err, true);
        Thread thread = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(1000);
                    double seconds = (System.nanoTime() - started) / 1e9;
                    err.printf(Locale.ROOT, "bench: %d round trips in %.0f s, %.0f/s%n", done.get(), seconds, done.get() / seconds);
                }
            } catch (InterruptedException e) {
                // the run is over
            }
        }, "bench progress");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void report(Transport chosen, int messageBytes, long[] nanos, double seconds) {
        Arrays.sort(nanos);
        double throughput = nanos.length / seconds;
        double median = micros(nanos, 0.50);
        double p99 = micros(nanos, 0.99);
        double max = nanos.length == 0 ? 0 : nanos[nanos.length - 1] / 1000.0;
        PrintWriter out = new PrintWriter(System.out, true);
        if (json) {
            out.printf(Locale.ROOT, "{\"transport\":\"%s\",\"endpoint\":\"%s\",\"clients\":%d,\"messageBytes\":%d,\"roundTrips\":%d,"
                    + "\"seconds\":%.3f,\"roundTripsPerSecond\":%.1f,\"medianMicros\":%.2f,\"p99Micros\":%.2f,\"maxMicros\":%.2f}%n",
                    chosen.name().toLowerCase(Locale.ROOT), parent.name.replace("\\", "\\\\"), clients, messageBytes, nanos.length,
                    seconds, throughput, median, p99, max);
        } else {
            out.printf(Locale.ROOT, "%s, %d client(s), %d-byte messages: %d round trips in %.2f s%n",
                    chosen.name().toLowerCase(Locale.ROOT), clients, messageBytes, nanos.length, seconds);
            out.printf(Locale.ROOT, "  %.0f round trips/s; round trip median %.1f us, p99 %.1f us, max %.1f us%n",
                    throughput, median, p99, max);
        }
    }

    private static double micros(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1000.0;
    }
}
