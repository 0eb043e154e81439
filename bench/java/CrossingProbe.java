import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.win32.StdCallLibrary;

/**
 * What crossing between Java and kernel32 costs through JNA, the way pipekit's Windows loop
 * crosses: a direct-mapped call, and an APC whose routine is a direct callback into Java. The C
 * twin (bench/c/crossing_probe.c) makes the same calls; the difference is JNA's and the JVM's.
 *
 * Run both pinned to one core in the Wine test bed, so that no cross-core wake-up blurs them:
 *   x86_64-w64-mingw32-gcc -O2 -o crossing-probe.exe bench/c/crossing_probe.c
 *   javac --release 17 -cp pipe-server/target/pipe-server.jar -d probe bench/java/CrossingProbe.java
 *   docker run --rm --network none --cpuset-cpus=0 -v "$PWD:/w" IMAGE bash -c 'cd /w; wineserver -p;
 *     wine crossing-probe.exe > c.out; wine "$PIPEKIT_JAVA" $PIPEKIT_JAVA_OPTIONS -cp "pipe-server/target/pipe-server.jar;probe" CrossingProbe > java.out'
 * (IMAGE: pipe-it/src/test/wine/build-image.sh --tag). Prints one line per round.
 */
public final class CrossingProbe {
    /** An APC routine ({@code PAPCFUNC}), made a direct callback by being passed to a direct-mapped function. */
    public interface Apc extends StdCallLibrary.StdCallCallback {
        void invoke(long parameter);
    }

    static {
        Native.register("kernel32");
    }

    static native int GetCurrentThreadId();

    static native Pointer GetCurrentThread();

    static native int QueueUserAPC(Apc routine, Pointer thread, long parameter);

    static native int SleepEx(int milliseconds, boolean alertable);

    private static long ran;

    public static void main(String[] args) {
        Apc apc = parameter -> ran++;
        Pointer self = GetCurrentThread();
        for (int round = 0; round < 3; round++) {
            int calls = 2_000_000;
            long sum = 0;
            long started = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sum += GetCurrentThreadId();
            }
            double callNanos = (System.nanoTime() - started) / (double) calls;
            int apcs = 100_000;
            started = System.nanoTime();
            for (int i = 0; i < apcs; i++) {
                QueueUserAPC(apc, self, 0);
                SleepEx(0, true);
            }
            double apcNanos = (System.nanoTime() - started) / (double) apcs;
            System.out.printf("java round %d: direct call %.0f ns; QueueUserAPC, SleepEx and the routine %.0f ns (%d, %d)%n",
                    round, callNanos, apcNanos, ran, sum & 1);
        }
    }
}
