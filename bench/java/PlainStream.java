import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Locale;

/**
 * The plain-JDK baseline for the stream benchmark: bench/java/StreamClient.java's protocol and
 * measurement (64 KiB calls, WARM untimed transfers, the median of TIMED timed ones) over a blocking
 * SocketChannel, writing from and reading into a heap array through one direct buffer, as any JDK
 * code with byte[]s does. What the JDK allows a Java stream to reach, beside pipekit and C.
 *
 * Usage: java bench/java/PlainStream.java SOCKET_PATH U|D COUNT [WARM TIMED]
 */
public final class PlainStream {
    private static final int CHUNK = 64 * 1024;

    public static void main(String[] args) throws Exception {
        char direction = args[1].charAt(0);
        long count = Long.parseLong(args[2]);
        int warm = args.length > 4 ? Integer.parseInt(args[3]) : 1;
        int timed = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(args[0]));
            byte[] chunk = new byte[CHUNK];
            Arrays.fill(chunk, (byte) 'x');
            ByteBuffer direct = ByteBuffer.allocateDirect(CHUNK);
            double[] runs = new double[timed];
            for (int i = -warm; i < runs.length; i++) {
                long started = System.nanoTime();
                ByteBuffer command = ByteBuffer.allocate(9).put((byte) direction).putLong(count).flip();
                while (command.hasRemaining()) {
                    channel.write(command);
                }
                for (long left = count; left > 0; ) {
                    int len = (int) Math.min(CHUNK, left);
                    direct.clear().limit(len);
                    if (direction == 'U') {
                        direct.put(chunk, 0, len).flip();
                        while (direct.hasRemaining()) {
                            channel.write(direct);
                        }
                        left -= len;
                    } else {
                        int n = channel.read(direct);
                        if (n < 0) {
                            throw new IllegalStateException("the server closed the stream early");
                        }
                        direct.flip().get(chunk, 0, n);
                        left -= n;
                    }
                }
                if (direction == 'U') {
                    ByteBuffer ack = ByteBuffer.allocate(1);
                    while (ack.hasRemaining()) {
                        channel.read(ack);
                    }
                }
                if (i >= 0) {
                    runs[i] = (System.nanoTime() - started) / 1e9;
                }
            }
            Arrays.sort(runs);
            double seconds = runs[runs.length / 2];
            System.out.printf(Locale.ROOT, "{\"direction\":\"%s\",\"bytes\":%d,\"seconds\":%.4f,\"megabytesPerSecond\":%.1f}%n",
                    direction == 'U' ? "upload" : "download", count, seconds, count / seconds / 1e6);
        }
    }
}
