import io.pipekit.client.PipeClient;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.server.PipeServer;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.UUID;

/**
 * What serving costs per message in steady state: heap bytes the server thread allocates per
 * round trip (the thread-allocated-bytes counter) and pipekit's native allocations per round
 * trip (its own counter, which covers every native block pipekit allocates). An in-process
 * echo server and client, warmed up first. Prints one JSON object.
 *
 * Usage: java -cp pipe-server.jar:pipe-client.jar AllocationProbe SIZE ROUND_TRIPS
 */
public final class AllocationProbe {
    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        int roundTrips = Integer.parseInt(args[1]);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] serverThread = new long[1];
        String name = "pipekit-probe-" + UUID.randomUUID();
        byte[] message = new byte[size];
        try (PipeServer server = PipeServer.builder(name).handler((client, request) -> {
                 serverThread[0] = Thread.currentThread().getId();
                 return request;
             }).start();
             PipeClient client = PipeClient.connect(name)) {
            for (int i = 0; i < 2000; i++) {
                client.transact(message);
            }
            long heapBefore = threads.getThreadAllocatedBytes(serverThread[0]);
            long nativeBefore = NativeAllocations.allocatedCount();
            long directBefore = directBuffers();
            for (int i = 0; i < roundTrips; i++) {
                client.transact(message);
            }
            long heap = threads.getThreadAllocatedBytes(serverThread[0]) - heapBefore;
            // pipekit's own counter covers the Windows glue; on Unix its native memory is direct buffers.
            long nativeBlocks = NativeAllocations.allocatedCount() - nativeBefore + Math.max(0, directBuffers() - directBefore);
            System.out.printf(Locale.ROOT, "{\"messageBytes\":%d,\"roundTrips\":%d,\"serverHeapBytesPerRoundTrip\":%.1f,"
                    + "\"nativeAllocationsPerRoundTrip\":%.4f,\"os\":\"%s\"}%n", size, roundTrips, (double) heap / roundTrips,
                    (double) nativeBlocks / roundTrips, System.getProperty("os.name"));
        }
    }

    private static long directBuffers() {
        return ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).mapToLong(java.lang.management.BufferPoolMXBean::getCount).sum();
    }
}
