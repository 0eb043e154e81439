import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The plain-JDK baseline for pipekit's Unix transport: a blocking SocketChannel client and a
 * one-thread echo over a Unix domain socket, with pipekit's framing, nothing else. Prints one
 * JSON object with the fields of `pipe-client bench --json`.
 *
 * Usage: java bench/java/PlainPingPong.java SIZE ROUND_TRIPS WARMUP
 */
public final class PlainPingPong {
    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        int roundTrips = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        Path socket = Files.createTempDirectory("plain-ping-pong").resolve("s.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            Thread echo = new Thread(() -> echo(listener, size), "echo");
            echo.start();
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer out = ByteBuffer.allocateDirect(4 + size);
                byte[] message = new byte[size]; // a heap message copied out per round trip, as pipekit's client does
                java.util.Arrays.fill(message, (byte) 'x');
                ByteBuffer in = ByteBuffer.allocateDirect(4 + size);
                long[] nanos = new long[roundTrips];
                long started = 0;
                for (int i = 0; i < warmup + roundTrips; i++) {
                    if (i == warmup) {
                        started = System.nanoTime();
                    }
                    long t = System.nanoTime();
                    out.clear();
                    out.putInt(size).put(message).flip();
                    while (out.hasRemaining()) {
                        client.write(out);
                    }
                    in.clear();
                    while (in.hasRemaining()) {
                        client.read(in);
                    }
                    if (i >= warmup) {
                        nanos[i - warmup] = System.nanoTime() - t;
                    }
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                Arrays.sort(nanos);
                System.out.printf(Locale.ROOT, "{\"transport\":\"unix_domain_sockets\",\"clients\":1,\"messageBytes\":%d,"
                        + "\"roundTrips\":%d,\"seconds\":%.3f,\"roundTripsPerSecond\":%.1f,\"medianMicros\":%.2f,"
                        + "\"p99Micros\":%.2f,\"maxMicros\":%.2f}%n", size, roundTrips, seconds, roundTrips / seconds,
                        nanos[(roundTrips + 1) / 2 - 1] / 1e3, nanos[(int) Math.ceil(0.99 * roundTrips) - 1] / 1e3,
                        nanos[roundTrips - 1] / 1e3);
            }
            echo.join();
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(socket.getParent());
        }
    }

    private static void echo(ServerSocketChannel listener, int size) {
        try (SocketChannel peer = listener.accept()) {
            ByteBuffer frame = ByteBuffer.allocateDirect(4 + size);
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
            // the client closed: done
        }
    }
}
