package io.pipekit.it.chaos;

import io.pipekit.client.PipeClient;
import io.pipekit.core.Transport;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The client whose data chaos must not touch: on a thread of its own, it round-trips messages of
 * random size (0 B up to a maximum) and random content through one connection, and checks every
 * byte of every echo, until stopped. The first thing that goes wrong is kept, and ends it.
 */
final class HonestClient implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final PipeClient client;
    private final int maxSize;
    private final Random random;
    private final Thread thread;
    private final AtomicLong roundTrips = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopping;

    private HonestClient(PipeClient client, int maxSize, long seed) {
        this.client = client;
        this.maxSize = maxSize;
        this.random = new Random(seed);
        this.thread = new Thread(this::run, "honest-client");
    }

    /** Connects and starts round-tripping. */
    static HonestClient start(String name, Transport transport, int maxSize, long seed) throws Exception {
        PipeClient client = PipeClient.builder(name).transport(transport).connectTimeout(TIMEOUT).receiveTimeout(TIMEOUT).connect();
        HonestClient honest = new HonestClient(client, maxSize, seed);
        honest.thread.start();
        return honest;
    }

    private void run() {
        try {
            for (boolean first = true; !stopping; first = false) {
                // The first message is the largest, so that every native buffer of the connection
                // has grown to its final size before a scenario counts the resources it starts from
                // (Windows counts pipekit's native blocks exactly).
                // Then mostly small messages, and now and then one up to the maximum: sizes spread
                // over every order of magnitude, as the "0 B to 1 MiB" asks.
                int size = first ? maxSize
                        : random.nextInt(8) == 0 ? random.nextInt(maxSize + 1) : random.nextInt(Math.min(maxSize, 4096) + 1);
                byte[] message = new byte[size];
                random.nextBytes(message);
                byte[] echo;
                try {
                    echo = client.transact(message);
                } catch (Throwable t) {
                    lost.incrementAndGet();
                    throw t;
                }
                if (!Arrays.equals(message, echo)) {
                    lost.incrementAndGet();
                    throw new AssertionError("round trip " + roundTrips.get() + ": sent " + size + " bytes, got back "
                            + echo.length + (echo.length == size ? " different ones" : ""));
                }
                roundTrips.incrementAndGet();
                bytes.addAndGet(2L * size);
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** Whether it is still round-tripping: it stops at its first failure. */
    boolean running() {
        return thread.isAlive();
    }

    long roundTrips() {
        return roundTrips.get();
    }

    long bytes() {
        return bytes.get();
    }

    /** Round trips that failed or came back different: the one that ended it, if one did. */
    long lost() {
        return lost.get();
    }

    /** Stops after the round trip in progress, and returns what went wrong, if anything did. */
    Throwable stop() throws InterruptedException {
        stopping = true;
        thread.join(TIMEOUT.toMillis());
        if (thread.isAlive()) {
            return new AssertionError("the honest client's round trip did not end within " + TIMEOUT);
        }
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        client.close();
    }
}
