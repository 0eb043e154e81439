import io.pipekit.client.PipeSocketFactory;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.io.DetachedSocketFactory;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;

/**
 * Requests per second of Apache HttpClient 5 (classic) against bench/go/http_both.go, which serves
 * one handler on a Unix domain socket and on TCP loopback from one process. TRANSPORT says which
 * socket HttpClient's connections get; everything else is the same: the URL (the TCP address; a
 * pipekit socket ignores host and port), the pool (one keep-alive connection per thread, LIFO, as
 * docs/sockets.md's recipe builds it), and the request loop.
 * <ul>
 *   <li>{@code unix}: {@code PipeSocketFactory.of(SOCKET_PATH).createSocket()};
 *   <li>{@code tcp}: {@code new Socket()}, what HttpClient's default operator makes.
 * </ul>
 * THREADS threads share the client; each first makes WARM untimed requests (the JIT, and the pool
 * filled), then all start together and make REQUESTS requests between them, reading each body.
 * Prints one JSON object: requests per second over the timed requests, and the median and p99 of
 * a request's time.
 *
 * Usage: java -cp pipe-client.jar:httpclient5...:. HttpRequests unix|tcp SOCKET_PATH TCP_HOST:PORT THREADS REQUESTS WARM
 */
public final class HttpRequests {
    public static void main(String[] args) throws Exception {
        String transport = args[0];
        PipeSocketFactory pipe = PipeSocketFactory.of(args[1]);
        String url = "http://" + args[2] + "/";
        int threads = Integer.parseInt(args[3]);
        int requests = Integer.parseInt(args[4]);
        int warm = Integer.parseInt(args[5]);
        DetachedSocketFactory sockets = switch (transport) {
            case "unix" -> proxy -> pipe.createSocket();
            case "tcp" -> proxy -> new Socket();
            default -> throw new IllegalArgumentException("transport: unix or tcp, not " + transport);
        };
        PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager(
                new DefaultHttpClientConnectionOperator(sockets, null, null, RegistryBuilder.<TlsSocketStrategy>create().build()),
                PoolConcurrencyPolicy.STRICT, PoolReusePolicy.LIFO, TimeValue.NEG_ONE_MILLISECOND, null);
        connections.setMaxTotal(threads);
        connections.setDefaultMaxPerRoute(threads);
        try (CloseableHttpClient http = HttpClients.custom().setConnectionManager(connections).build()) {
            AtomicLong next = new AtomicLong();
            long[] micros = new long[requests];
            Object start = new Object();
            boolean[] go = {false};
            int[] warmed = {0};
            List<Thread> workers = new ArrayList<>();
            Throwable[] failure = {null};
            for (int t = 0; t < threads; t++) {
                Thread worker = new Thread(() -> {
                    try {
                        for (int i = 0; i < warm; i++) {
                            get(http, url);
                        }
                        synchronized (start) {
                            warmed[0]++;
                            start.notifyAll();
                            while (!go[0]) {
                                start.wait();
                            }
                        }
                        for (long i; (i = next.getAndIncrement()) < requests; ) {
                            long began = System.nanoTime();
                            get(http, url);
                            micros[(int) i] = (System.nanoTime() - began) / 1000;
                        }
                    } catch (Throwable e) {
                        synchronized (failure) {
                            failure[0] = e;
                        }
                        next.set(requests);
                        synchronized (start) {
                            warmed[0] = threads; // let main go on to report it
                            start.notifyAll();
                        }
                    }
                });
                workers.add(worker);
                worker.start();
            }
            long began;
            synchronized (start) {
                while (warmed[0] < threads) {
                    start.wait();
                }
                began = System.nanoTime();
                go[0] = true;
                start.notifyAll();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            if (failure[0] != null) {
                throw new IllegalStateException("a request failed", failure[0]);
            }
            Arrays.sort(micros);
            System.out.printf(Locale.ROOT, "{\"transport\":\"%s\",\"threads\":%d,\"requests\":%d,\"seconds\":%.4f,"
                    + "\"requestsPerSecond\":%.1f,\"medianMicros\":%d,\"p99Micros\":%d}%n", transport, threads, requests, seconds,
                    requests / seconds, micros[requests / 2], micros[Math.min(requests - 1, (int) (requests * 0.99))]);
        }
    }

    private static void get(CloseableHttpClient http, String url) throws IOException {
        http.execute(new HttpGet(url), response -> {
            if (response.getCode() != 200) {
                throw new IOException(url + ": HTTP " + response.getCode());
            }
            EntityUtils.consume(response.getEntity());
            return null;
        });
    }
}
