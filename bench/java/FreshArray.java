import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What a fresh message array costs the thread that makes it (issue 28's many-clients profile):
 * CPU time per SIZE-byte message for a new array filled from a direct buffer (what the server's
 * frame reader does with each request), a new array copied from a heap array (whose zeroing the
 * JIT leaves out), a new array alone, and the same copy from the direct buffer into one reused
 * array. The difference between the first and the last is what handing each message over as a
 * {@code byte[]} of its own costs beyond the copy; the second shows how much of it is the zeroing.
 * Thread CPU time, not wall-clock: the machine is shared.
 *
 * <p>Usage: java bench/java/FreshArray.java [SIZE [ITERATIONS]] (65536, 50000); the last of six
 * rounds is the warm one. Add -Xmn24m to see the young generation fit in the cache.
 */
public final class FreshArray {
    private static volatile Object sink;

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 65536;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 50000;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        ByteBuffer direct = ByteBuffer.allocateDirect(size);
        byte[] heap = new byte[size];
        byte[] reused = new byte[size];
        for (int round = 1; round <= 6; round++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < iterations; i++) {
                byte[] message = new byte[size];
                direct.get(0, message);
                sink = message;
            }
            long t1 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < iterations; i++) {
                sink = Arrays.copyOfRange(heap, 0, size);
            }
            long t2 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < iterations; i++) {
                sink = new byte[size];
            }
            long t3 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < iterations; i++) {
                direct.get(0, reused);
                sink = reused;
            }
            long t4 = cpu.getCurrentThreadCpuTime();
            System.out.printf("round %d, µs per %d-byte message: new array filled from a direct buffer %.2f, "
                    + "new array copied from a heap array %.2f, new array alone %.2f, reused array filled from the direct buffer %.2f%n",
                    round, size, micros(t1 - t0, iterations), micros(t2 - t1, iterations), micros(t3 - t2, iterations),
                    micros(t4 - t3, iterations));
        }
    }

    private static double micros(long nanos, int iterations) {
        return nanos / 1e3 / iterations;
    }
}
