import io.pipekit.client.PipeClient;
import io.pipekit.core.ReadMode;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * pipekit's side of the stream benchmark: the client of bench/c/uds_stream.c and
 * bench/c/pipe_stream.c, through PipeClient's byte-mode streams. It uploads or downloads COUNT
 * bytes in 64 KiB calls, once untimed (the JVM's warm-up) and five times timed, and prints the C
 * client's JSON (the median transfer) plus the heap its thread allocated per 64 KiB call while timed.
 *
 * Usage: java -cp pipe-client.jar:. StreamClient NAME U|D COUNT
 */
public final class StreamClient {
    private static final int CHUNK = 64 * 1024;

    public static void main(String[] args) throws Exception {
        String name = args[0];
        char direction = args[1].charAt(0);
        long count = Long.parseLong(args[2]);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (PipeClient client = PipeClient.builder(name).readMode(ReadMode.BYTE).connect()) {
            byte[] chunk = new byte[CHUNK];
            Arrays.fill(chunk, (byte) 'x');
            byte[] command = new byte[9];
            transfer(client, chunk, command, direction, count); // warm-up
            // The median of five timed transfers, as the C client: one lasts a few milliseconds.
            double[] runs = new double[5];
            long heapBefore = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < runs.length; i++) {
                long started = System.nanoTime();
                transfer(client, chunk, command, direction, count);
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

    private static void transfer(PipeClient client, byte[] chunk, byte[] command, char direction, long count) throws Exception {
        command[0] = (byte) direction;
        for (int i = 8; i >= 1; i--) {
            command[i] = (byte) (count >>> (8 * (8 - i)));
        }
        OutputStream out = client.outputStream();
        InputStream in = client.inputStream();
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
