package io.pipekit.it.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipekit.client.PipeClient;
import io.pipekit.core.Transport;
import io.pipekit.server.PipeServer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures, side by side in one run, the median round trip of pipekit's client and server on
 * Unix domain sockets against a plain JDK {@code SocketChannel} ping-pong over the same kind of
 * socket with the same framing, alternating over several rounds. Timings are printed, never
 * asserted.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixRoundTripTimingTest {
    private static final int ROUNDS = 5;
    private static final int ROUND_TRIPS = 20_000;
    private static final int WARM_UP = 5_000;
    private static final byte[] MESSAGE = new byte[64];

    @Test
    void pipekitMedianRoundTripBesidePlainSocketChannel(@TempDir Path dir) throws Exception {
        List<Double> pipekit = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            pipekit.add(pipekitMedianMicros());
            plain.add(plainMedianMicros(dir.resolve("plain-" + round + ".sock")));
        }
        Collections.sort(pipekit);
        Collections.sort(plain);
        double p = pipekit.get(ROUNDS / 2);
        double j = plain.get(ROUNDS / 2);
        System.out.printf(Locale.ROOT, "[timing] Unix sockets, 64 B, %d round trips x %d rounds: pipekit median %.1f us %s, "
                + "plain SocketChannel median %.1f us %s, ratio %.2f%n", ROUND_TRIPS, ROUNDS, p, pipekit, j, plain, p / j);
        assertEquals(ROUNDS, pipekit.size());
    }

    private static double pipekitMedianMicros() throws Exception {
        String name = "pipekit-timing-" + UUID.randomUUID();
        try (PipeServer server = PipeServer.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS)
                .handler((client, request) -> request).start();
             PipeClient client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connect()) {
            for (int i = 0; i < WARM_UP; i++) {
                client.transact(MESSAGE);
            }
            long[] nanos = new long[ROUND_TRIPS];
            for (int i = 0; i < ROUND_TRIPS; i++) {
                long t = System.nanoTime();
                client.transact(MESSAGE);
                nanos[i] = System.nanoTime() - t;
            }
            return median(nanos);
        }
    }

    /** The same framing over a blocking JDK SocketChannel, echoed by a plain thread. */
    private static double plainMedianMicros(Path socket) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            Thread echo = new Thread(() -> {
                try (SocketChannel peer = listener.accept()) {
                    ByteBuffer frame = ByteBuffer.allocateDirect(4 + MESSAGE.length);
                    while (true) {
                        frame.clear();
                        while (frame.hasRemaining()) {
                            if (peer.read(frame) < 0) {
                                return;
                            }
                        }
                        frame.flip();
                        while (frame.hasRemaining()) {
                            peer.write(frame);
                        }
                    }
                } catch (Exception e) {
                    // the client closed: the round is over
                }
            }, "plain echo");
            echo.start();
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer out = ByteBuffer.allocateDirect(4 + MESSAGE.length);
                ByteBuffer in = ByteBuffer.allocateDirect(4 + MESSAGE.length);
                long[] nanos = new long[ROUND_TRIPS];
                for (int i = 0; i < WARM_UP + ROUND_TRIPS; i++) {
                    long t = System.nanoTime();
                    out.clear();
                    out.putInt(MESSAGE.length).put(MESSAGE).flip();
                    while (out.hasRemaining()) {
                        client.write(out);
                    }
                    in.clear();
                    while (in.hasRemaining()) {
                        client.read(in);
                    }
                    if (i >= WARM_UP) {
                        nanos[i - WARM_UP] = System.nanoTime() - t;
                    }
                }
                return median(nanos);
            } finally {
                echo.join();
                Files.deleteIfExists(socket);
            }
        }
    }

    private static double median(long[] nanos) {
        Arrays.sort(nanos);
        return nanos[nanos.length / 2] / 1000.0;
    }
}
