import io.pipekit.client.PipeClient;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.ReadMode;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.util.Arrays;
import java.util.Locale;

/**
 * pipekit's side of the stream benchmark: the client of bench/c/uds_stream.c and
 * bench/c/pipe_stream.c. It uploads or downloads COUNT bytes in 64 KiB calls, WARM times untimed
 * (the JVM's warm-up) and TIMED times timed, and prints the C client's JSON (the median transfer)
 * plus the heap its thread allocated per 64 KiB call while timed. API says which of PipeClient's
 * byte-mode views moves the bytes:
 * <ul>
 *   <li>{@code stream}: {@code inputStream()}/{@code outputStream()} with a heap {@code byte[]},
 *       what most Java code has;
 *   <li>{@code channel}: {@code channel()} with a direct {@code ByteBuffer}, whose bytes already
 *       live outside the Java heap, as C's do;
 *   <li>{@code socket}: a {@code PipeSocket} from {@code PipeSocketFactory.of(NAME)}, through its
 *       {@code getInputStream()}/{@code getOutputStream()} with the same heap {@code byte[]}: the
 *       adapter's cost beside {@code stream}, which it should not add to.
 * </ul>
 *
 * Usage: java -cp pipe-client.jar:. StreamClient NAME U|D COUNT [stream|channel|socket [WARM TIMED]]
 */
public final class StreamClient {
    private static final int CHUNK = 64 * 1024;

    public static void main(String[] args) throws Exception {
        String name = args[0];
        char direction = args[1].charAt(0);
        long count = Long.parseLong(args[2]);
        String api = args.length > 3 ? args[3] : "stream";
        int warm = args.length > 5 ? Integer.parseInt(args[4]) : 1;
        int timed = args.length > 5 ? Integer.parseInt(args[5]) : 5;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // The socket's factory reads byte mode and trusts the same servers as PipeClient's defaults.
        try (PipeClient client = api.equals("socket") ? null : PipeClient.builder(name).readMode(ReadMode.BYTE).connect();
             Socket socket = api.equals("socket") ? PipeSocketFactory.of(name).createSocket("localhost", 0) : null) {
            Transfer transfer = switch (api) {
                case "channel" -> new ChannelTransfer(client.channel());
                case "socket" -> new StreamTransfer(socket.getOutputStream(), socket.getInputStream());
                case "stream" -> new StreamTransfer(client.outputStream(), client.inputStream());
                default -> throw new IllegalArgumentException("no such API: " + api + " (stream, channel or socket)");
            };
            for (int i = 0; i < warm; i++) {
                transfer.run(direction, count);
            }
            // The median of the timed transfers, as the C client: one lasts a few milliseconds.
            double[] runs = new double[timed];
            long heapBefore = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < runs.length; i++) {
                long started = System.nanoTime();
                transfer.run(direction, count);
                runs[i] = (System.nanoTime() - started) / 1e9;
            }
            long heap = (threads.getCurrentThreadAllocatedBytes() - heapBefore) / runs.length;
            Arrays.sort(runs);
            double seconds = runs[runs.length / 2];
            System.out.printf(Locale.ROOT, "{\"direction\":\"%s\",\"bytes\":%d,\"seconds\":%.4f,\"megabytesPerSecond\":%.1f,"
                    + "\"heapBytesPerChunk\":%.1f}%n", direction == 'U' ? "upload" : "download", count, seconds,
                    count / seconds / 1e6, (double) heap / Math.max(1, count / CHUNK));
        }
    }

    /** One command and its transfer: 'U' or 'D' and an 8-byte big-endian count, then the bytes. */
    private interface Transfer {
        void run(char direction, long count) throws Exception;
    }

    private static final class StreamTransfer implements Transfer {
        private final OutputStream out;
        private final InputStream in;
        private final byte[] chunk = new byte[CHUNK];
        private final byte[] command = new byte[9];

        StreamTransfer(OutputStream out, InputStream in) {
            this.out = out;
            this.in = in;
            Arrays.fill(chunk, (byte) 'x');
        }

        @Override
        public void run(char direction, long count) throws Exception {
            command[0] = (byte) direction;
            for (int i = 8; i >= 1; i--) {
                command[i] = (byte) (count >>> (8 * (8 - i)));
            }
            out.write(command);
            long left = count;
            if (direction == 'U') {
                while (left > 0) {
                    int len = (int) Math.min(CHUNK, left);
                    out.write(chunk, 0, len);
                    left -= len;
                }
                if (in.read() != 'k') {
                    throw new IllegalStateException("no acknowledgement from the server");
                }
            } else {
                while (left > 0) {
                    int n = in.read(chunk, 0, (int) Math.min(CHUNK, left));
                    if (n < 0) {
                        throw new IllegalStateException("the server closed the stream early");
                    }
                    left -= n;
                }
            }
        }
    }

    private static final class ChannelTransfer implements Transfer {
        private final ByteChannel channel;
        private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        private final ByteBuffer command = ByteBuffer.allocateDirect(9);
        private final ByteBuffer ack = ByteBuffer.allocateDirect(1);

        ChannelTransfer(ByteChannel channel) {
            this.channel = channel;
            while (chunk.hasRemaining()) {
                chunk.put((byte) 'x');
            }
        }

        @Override
        public void run(char direction, long count) throws Exception {
            channel.write(command.clear().put((byte) direction).putLong(count).flip());
            long left = count;
            if (direction == 'U') {
                while (left > 0) {
                    int len = (int) Math.min(CHUNK, left);
                    channel.write(chunk.clear().limit(len));
                    left -= len;
                }
                if (channel.read(ack.clear()) != 1 || ack.get(0) != 'k') {
                    throw new IllegalStateException("no acknowledgement from the server");
                }
            } else {
                while (left > 0) {
                    int n = channel.read(chunk.clear().limit((int) Math.min(CHUNK, left)));
                    if (n < 0) {
                        throw new IllegalStateException("the server closed the stream early");
                    }
                    left -= n;
                }
            }
        }
    }
}
