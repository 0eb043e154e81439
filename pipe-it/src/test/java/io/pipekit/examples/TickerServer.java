package io.pipekit.examples;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PipeException;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import io.pipekit.server.PipeServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Push with an idle timeout: the server sends every client a tick each period, without being
 * asked, and closes a client that has said nothing for the idle timeout. A client keeps its
 * connection by saying anything now and then.
 *
 * <p>Run: {@code TickerServer <name>} serves until stopped; {@code TickerServer <name> listen}
 * prints the ticks.
 */
public final class TickerServer implements AutoCloseable {
    private final PipeServer server;
    private final ScheduledExecutorService clock;

    private TickerServer(PipeServer server, ScheduledExecutorService clock) {
        this.server = server;
        this.clock = clock;
    }

    /** Serves {@code name}: a tick every {@code period}; silence for {@code idleTimeout} ends a client. */
    public static TickerServer start(String name, Duration period, Duration idleTimeout) throws PipeException {
        Map<Connection, Long> lastHeard = new ConcurrentHashMap<>();
        PipeServer server = PipeServer.builder(name)
                .connectionHandler(new ConnectionHandler() {
                    @Override
                    public void connected(Connection client) {
                        lastHeard.put(client, System.nanoTime());
                    }

                    @Override
                    public void messageReceived(Connection client, byte[] message) {
                        lastHeard.put(client, System.nanoTime()); // any message is a sign of life
                    }

                    @Override
                    public void closed(Connection client, PipeException cause) {
                        lastHeard.remove(client);
                    }
                })
                .start();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        long[] tick = {0};
        clock.scheduleAtFixedRate(() -> {
            tick[0]++;
            long now = System.nanoTime();
            for (Connection client : server.connections()) {
                Long heard = lastHeard.get(client);
                if (heard != null && now - heard > idleTimeout.toNanos()) {
                    client.close(); // idle too long
                } else {
                    // Never blocks: a client that does not read fills its own queue, and only its sends fail.
                    client.send(MessageCodecs.utf8(), "tick " + tick[0]);
                }
            }
        }, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
        return new TickerServer(server, clock);
    }

    /** The server, for its name and endpoint. */
    public PipeServer server() {
        return server;
    }

    @Override
    public void close() {
        clock.shutdownNow();
        server.close();
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            try (PipeClient client = PipeClient.connect(args[0])) {
                while (true) {
                    System.out.println(client.receive(MessageCodecs.utf8(), Duration.ofSeconds(10)));
                    client.send(MessageCodecs.utf8(), "still here");
                }
            }
        }
        try (TickerServer ticker = start(args[0], Duration.ofSeconds(1), Duration.ofSeconds(30))) {
            System.out.println("ticking on " + ticker.server().endpoint());
            ticker.server().awaitTermination();
        }
    }
}
