import io.pipekit.core.PipeException;
import io.pipekit.core.SendQueueFullException;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import io.pipekit.server.PipeServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server of bench/soak.sh: one pipekit server under a mixed load for minutes. It echoes every
 * message (request/answer), pushes an 8-byte sequence number every 10 ms to each client that
 * sent "subscribe" (server push), and closes a client whose send queue reaches its bound (one that
 * never reads). Every INTERVAL seconds it prints one JSON line of what it holds: connections open,
 * how connections ended, heap used after the last GC, and on Windows pipekit's own handles and
 * native blocks. The script samples the process's RSS and descriptors beside it.
 *
 * Usage: java -cp pipe-server.jar:. SoakServer NAME INTERVAL_SECONDS
 */
public final class SoakServer {
    private static final byte[] SUBSCRIBE = "subscribe".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        Set<Connection> subscribers = ConcurrentHashMap.newKeySet();
        Map<String, LongAdder> endings = new ConcurrentHashMap<>();
        LongAdder echoes = new LongAdder();
        LongAdder pushes = new LongAdder();
        LongAdder queueFull = new LongAdder();
        AtomicLong sequence = new AtomicLong();
        PipeServer server = PipeServer.builder(args[0]).maxMessageSize(1 << 20).connectionHandler(new ConnectionHandler() {
            @Override
            public void messageReceived(Connection connection, byte[] message) {
                if (java.util.Arrays.equals(message, SUBSCRIBE)) {
                    subscribers.add(connection);
                    return;
                }
                echoes.increment();
                send(connection, message, queueFull);
            }

            @Override
            public void closed(Connection connection, PipeException cause) {
                subscribers.remove(connection);
                endings.computeIfAbsent(cause == null ? "left" : cause.getClass().getSimpleName(), k -> new LongAdder()).increment();
            }
        }).start();

        ScheduledExecutorService timers = Executors.newScheduledThreadPool(1);
        timers.scheduleAtFixedRate(() -> {
            byte[] tick = ByteBuffer.allocate(8).putLong(sequence.incrementAndGet()).array();
            for (Connection subscriber : subscribers) {
                pushes.increment();
                send(subscriber, tick, queueFull);
            }
        }, 10, 10, TimeUnit.MILLISECONDS);
        long started = System.nanoTime();
        long interval = Long.parseLong(args[1]);
        timers.scheduleAtFixedRate(() -> {
            Map<String, Long> ended = new TreeMap<>();
            endings.forEach((how, count) -> ended.put(how, count.sum()));
            System.out.printf(Locale.ROOT, "{\"seconds\":%.1f,\"open\":%d,\"echoes\":%d,\"pushes\":%d,\"queueFullClosures\":%d,"
                            + "\"heapAfterGcBytes\":%d,\"pipekitHandles\":%d,\"nativeBlocks\":%d,\"endings\":%s}%n",
                    (System.nanoTime() - started) / 1e9, server.connections().size(), echoes.sum(), pushes.sum(), queueFull.sum(),
                    heapAfterLastGc(), NativeHandles.liveCount(), NativeAllocations.liveCount(), json(ended));
            System.out.flush();
        }, interval, interval, TimeUnit.SECONDS);
        System.out.println("pipe-server: serving " + server.endpoint());
        System.out.flush();
        server.awaitTermination();
    }

    private static void send(Connection connection, byte[] message, LongAdder queueFull) {
        connection.send(message).whenComplete((written, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof SendQueueFullException) {
                queueFull.increment();
                connection.close(); // a client that does not read: as an application should
            }
        });
    }

    /**
     * Heap in use just after the most recent collection, over every heap pool: what stays live.
     * (A pool's own "collection usage" is no help with G1: its old generation's is only updated by
     * the rare mixed or full collections.)
     */
    private static long heapAfterLastGc() {
        com.sun.management.GcInfo latest = null;
        for (java.lang.management.GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (bean instanceof com.sun.management.GarbageCollectorMXBean gc) {
                com.sun.management.GcInfo info = gc.getLastGcInfo();
                if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
                    latest = info;
                }
            }
        }
        if (latest == null) {
            return 0;
        }
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage after = pool.getType() == MemoryType.HEAP ? latest.getMemoryUsageAfterGc().get(pool.getName()) : null;
            if (after != null) {
                used += after.getUsed();
            }
        }
        return used;
    }

    private static String json(Map<String, Long> map) {
        StringBuilder out = new StringBuilder("{");
        map.forEach((k, v) -> out.append(out.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return out.append('}').toString();
    }
}
