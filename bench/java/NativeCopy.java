import com.sun.jna.Memory;

/**
 * What copying a {@code byte[]} message into native memory costs, as the Windows server's
 * {@code NativeBuffer.put} does before each overlapped {@code WriteFile} (issue 28's Wine push
 * profile): a pending overlapped write reads its buffer after the call returns, and a heap array,
 * which the collector may move, cannot be that buffer. The same array each time, as
 * bench/java/PushServer.java pushes it, so the source is in the cache. Wall-clock time per copy
 * on an idle or pinned CPU; the last of eight rounds is the warm one.
 *
 * <p>Usage: javac -cp pipe-server/target/pipe-server.jar -d OUT bench/java/NativeCopy.java, then
 * java -cp OUT:pipe-server/target/pipe-server.jar NativeCopy [SIZE] (65536), or in the Wine test
 * bed's Windows JVM: wine $PIPEKIT_JAVA -cp "OUT;pipe-server.jar" NativeCopy 65536.
 */
public final class NativeCopy {
    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 65536;
        byte[] message = new byte[size];
        Memory buffer = new Memory(size);
        int copies = 200_000;
        for (int round = 1; round <= 8; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < copies; i++) {
                message[i % size] = (byte) i; // a write per copy, so that no copy is left out
                buffer.write(0, message, 0, size);
            }
            long nanos = System.nanoTime() - start;
            System.out.printf("round %d: %d bytes, %.3f us per copy%n", round, size, nanos / 1e3 / copies);
        }
    }
}
