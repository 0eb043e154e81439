import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load of bench/soak.sh, against bench/java/SoakServer.java, for SECONDS: four clients
 * round-trip random messages (0 B to 64 KiB) and check every echo; one subscribes and checks that
 * the pushed sequence numbers only ever go up; one connects and leaves again and again (churn);
 * and misbehaving clients come every few seconds: one sends a message over the server's limit, one
 * sends and never reads until the server closes it. At the end it prints one JSON line of what it
 * did and of everything that went wrong for the well-behaved clients (the goal: nothing), and exits 1
 * if anything did.
 *
 * Usage: java -cp pipe-client.jar:. SoakLoad NAME SECONDS
 */
public final class SoakLoad {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    public static void main(String[] args) throws Exception {
        String name = args[0];
        long endNanos = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        AtomicLong roundTrips = new AtomicLong();
        AtomicLong pushesSeen = new AtomicLong();
        AtomicLong churn = new AtomicLong();
        AtomicLong oversized = new AtomicLong();
        AtomicLong neverRead = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();

        for (int c = 0; c < 4; c++) {
            long seed = c;
            threads.add(loop("honest-" + c, failure, () -> {
                Random random = new Random(seed);
                try (PipeClient client = connect(name)) {
                    while (System.nanoTime() < endNanos) {
                        byte[] message = new byte[random.nextInt(64 * 1024 + 1)];
                        random.nextBytes(message);
                        if (!Arrays.equals(message, client.transact(message))) {
                            throw new IllegalStateException("an echo came back different");
                        }
                        roundTrips.incrementAndGet();
                    }
                }
            }));
        }
        threads.add(loop("subscriber", failure, () -> {
            try (PipeClient client = connect(name)) {
                client.send("subscribe".getBytes(StandardCharsets.US_ASCII));
                long last = 0;
                while (System.nanoTime() < endNanos) {
                    long seq = ByteBuffer.wrap(client.receive(TIMEOUT)).getLong();
                    if (seq <= last) {
                        throw new IllegalStateException("push " + seq + " came after " + last);
                    }
                    last = seq;
                    pushesSeen.incrementAndGet();
                }
            }
        }));
        threads.add(loop("churn", failure, () -> {
            while (System.nanoTime() < endNanos) {
                connect(name).close();
                churn.incrementAndGet();
                Thread.sleep(20);
            }
        }));
        threads.add(loop("misbehaving", failure, () -> {
            byte[] tooLarge = new byte[(1 << 20) + 1];
            byte[] chunk = new byte[64 * 1024];
            while (System.nanoTime() < endNanos) {
                try (PipeClient client = connect(name)) {
                    client.send(tooLarge);
                    client.receive(TIMEOUT);
                    throw new IllegalStateException("the server answered a message over its limit");
                } catch (PipeException refused) {
                    oversized.incrementAndGet();
                }
                try (PipeClient client = connect(name)) {
                    for (int i = 0; i < 10_000; i++) {
                        client.send(chunk);
                    }
                    throw new IllegalStateException("640 MB sent unread and the server never closed the connection");
                } catch (PipeException closed) {
                    neverRead.incrementAndGet();
                }
                Thread.sleep(2000);
            }
        }));
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.printf(Locale.ROOT, "{\"roundTrips\":%d,\"pushesSeen\":%d,\"churnCycles\":%d,\"oversizedSent\":%d,"
                + "\"neverReadClosed\":%d,\"failure\":%s}%n", roundTrips.get(), pushesSeen.get(), churn.get(), oversized.get(),
                neverRead.get(), failure.get() == null ? "null" : "\"" + failure.get().replace("\"", "'") + "\"");
        System.exit(failure.get() == null ? 0 : 1);
    }

    private static PipeClient connect(String name) throws PipeException {
        return PipeClient.builder(name).connectTimeout(TIMEOUT).receiveTimeout(TIMEOUT).connect();
    }

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    private static Thread loop(String name, AtomicReference<String> failure, Work work) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (Exception e) {
                failure.compareAndSet(null, name + ": " + e);
            }
        }, name);
        thread.start();
        return thread;
    }
}
