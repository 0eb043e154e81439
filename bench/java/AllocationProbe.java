import io.pipekit.client.PipeClient;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import io.pipekit.server.PipeServer;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

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
            double[] push = pushCost(size, roundTrips);
            System.out.printf(Locale.ROOT, "{\"messageBytes\":%d,\"roundTrips\":%d,\"serverHeapBytesPerRoundTrip\":%.1f,"
                    + "\"nativeAllocationsPerRoundTrip\":%.4f,\"serverHeapBytesPerPush\":%.1f,\"nativeAllocationsPerPush\":%.4f,"
                    + "\"os\":\"%s\"}%n", size, roundTrips, (double) heap / roundTrips, (double) nativeBlocks / roundTrips,
                    push[0], push[1], System.getProperty("os.name"));
        }
    }

    /** Heap bytes (pusher plus server thread) and native allocations per pushed message, in steady state. */
    private static double[] pushCost(int size, int pushes) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicReference<Connection> connected = new AtomicReference<>();
        long[] serverThread = new long[1];
        String name = "pipekit-push-probe-" + UUID.randomUUID();
        byte[] message = new byte[size];
        try (PipeServer server = PipeServer.builder(name).connectionHandler(new ConnectionHandler() {
                 @Override
                 public void connected(Connection connection) {
                     serverThread[0] = Thread.currentThread().getId();
                     connected.set(connection);
                 }

                 @Override
                 public void messageReceived(Connection connection, byte[] message) {
                 }
             }).start();
             PipeClient client = PipeClient.connect(name)) {
            while (connected.get() == null) {
                LockSupport.parkNanos(1_000_000);
            }
            Connection connection = connected.get();
            Thread reader = new Thread(() -> {
                try {
                    for (int i = 0; i < 2000 + pushes; i++) {
                        client.receive();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "probe reader");
            reader.start();
            // At most 16 sends in flight, waited for without allocating (no join, no callbacks), so
            // what the pusher thread allocates is what send() costs.
            CompletionStage<?>[] window = new CompletionStage<?>[16];
            long pusher = Thread.currentThread().getId();
            long heapBefore = 0;
            long nativeBefore = 0;
            for (int i = 0; i < 2000 + pushes; i++) {
                if (i == 2000) {
                    heapBefore = threads.getThreadAllocatedBytes(pusher) + threads.getThreadAllocatedBytes(serverThread[0]);
                    nativeBefore = NativeAllocations.allocatedCount() + directBuffers();
                }
                CompletionStage<?> previous = window[i % window.length];
                if (previous != null) {
                    CompletableFuture<?> future = (CompletableFuture<?>) previous;
                    while (!future.isDone()) {
                        LockSupport.parkNanos(20_000);
                    }
                    if (future.isCompletedExceptionally()) {
                        throw new IllegalStateException("a push failed");
                    }
                }
                window[i % window.length] = connection.send(message);
            }
            long heap = threads.getThreadAllocatedBytes(pusher) + threads.getThreadAllocatedBytes(serverThread[0]) - heapBefore;
            long nativeBlocks = NativeAllocations.allocatedCount() + directBuffers() - nativeBefore;
            reader.join();
            return new double[] {(double) heap / pushes, Math.max(0, (double) nativeBlocks) / pushes};
        }
    }

    private static long directBuffers() {
        return ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).mapToLong(java.lang.management.BufferPoolMXBean::getCount).sum();
    }
}
