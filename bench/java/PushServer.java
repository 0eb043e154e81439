import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import io.pipekit.server.PipeServer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * pipekit's side of the push benchmark: for each client, read one message "COUNT SIZE", then
 * push COUNT messages of SIZE bytes through {@link Connection#send}, from a thread of its own,
 * with at most 64 sends in flight and never more bytes than the send queue's bound (a
 * well-behaved pusher respects it); once that window is full it waits until half of it is free
 * ({@link SendWindow}). The C
 * peer (bench/c/uds_push.c, bench/c/pipe_push.c) serves the same protocol; the same C client
 * measures both.
 *
 * <p>With {@code loop}, it pushes from the server thread itself instead: the handler sends the
 * first messages, and each one's completion (which runs on the server thread) sends the next,
 * with the same window. No thread hands messages over then.
 *
 * Usage: java -cp pipe-server.jar:pipe-client.jar:. PushServer NAME [loop]
 */
public final class PushServer {
    private static final int C_PIPE_BUFFER = 65536;

    public static void main(String[] args) throws Exception {
        boolean fromLoop = args.length > 1 && args[1].equals("loop");
        PipeServer.Builder builder = PipeServer.builder(args[0]);
        if (System.getProperty("os.name").startsWith("Windows")) {
            // The C push server's pipe buffers (bench/c/pipe_push.c), not PipeServer's 4 KiB
            // default: a 64 KiB push through a 4 KiB pipe waits for the reader at every write.
            builder.inBufferSize(C_PIPE_BUFFER).outBufferSize(C_PIPE_BUFFER);
        }
        PipeServer server = builder.connectionHandler(new ConnectionHandler() {
            @Override
            public void messageReceived(Connection connection, byte[] request) {
                String[] countAndSize = new String(request, StandardCharsets.US_ASCII).trim().split(" ");
                int count = Integer.parseInt(countAndSize[0]);
                byte[] message = new byte[Integer.parseInt(countAndSize[1])];
                if (fromLoop) {
                    new LoopPusher(connection, count, message).start();
                } else {
                    new Thread(() -> push(connection, count, message), "pusher").start();
                }
            }
        }).start();
        System.out.println("pipe-server: serving " + server.endpoint());
        System.out.flush();
        server.awaitTermination();
    }

    private static void push(Connection connection, int count, byte[] message) {
        // Never more in flight than the send queue's bound holds: then no send is refused.
        int inFlight = (int) Math.max(1, Math.min(64, PipeServer.DEFAULT_MAX_QUEUED_BYTES / Math.max(1, message.length)));
        SendWindow window = new SendWindow(inFlight);
        for (int i = 0; i < count && connection.isOpen(); i++) {
            window.acquire();
            connection.send(message).whenComplete((ok, failure) -> {
                if (failure != null) {
                    System.err.println("PushServer: a push failed: " + failure);
                    connection.close();
                }
                window.release();
            });
        }
    }

    /**
     * The sends in flight, with two water marks, as Netty's channel writability has: once the
     * window is full the pusher sleeps until half of it is free, not until one send is. Waking a
     * thread is a kernel call on each side (under Wine two wineserver requests and a wait), and a
     * window that wakes the pusher for every completed send pays them once per message.
     */
    static final class SendWindow {
        private final int high;
        private final int low;
        private final AtomicInteger inFlight = new AtomicInteger();
        private volatile Thread sleeping;

        SendWindow(int high) {
            this.high = high;
            this.low = high / 2;
        }

        /** Takes a place in the window; with none left, waits until the low water mark. */
        void acquire() {
            if (inFlight.get() >= high) {
                sleeping = Thread.currentThread(); // before the check: a release that drains the window after it unparks us
                while (inFlight.get() > low) {
                    LockSupport.park(this);
                }
                sleeping = null;
            }
            inFlight.incrementAndGet();
        }

        /** A send completed: wakes the pusher when the window has drained to the low water mark. */
        void release() {
            if (inFlight.decrementAndGet() <= low) {
                Thread waiting = sleeping;
                if (waiting != null) {
                    LockSupport.unpark(waiting);
                }
            }
        }
    }

    /** Pushes from the server thread: sends keep the window full as earlier ones complete. */
    private static final class LoopPusher {
        private final Connection connection;
        private final byte[] message;
        private int left;

        LoopPusher(Connection connection, int count, byte[] message) {
            this.connection = connection;
            this.message = message;
            this.left = count;
        }

        void start() {
            int inFlight = (int) Math.max(1, Math.min(64, PipeServer.DEFAULT_MAX_QUEUED_BYTES / Math.max(1, message.length)));
            for (int i = 0; i < inFlight; i++) {
                sendNext();
            }
        }

        private void sendNext() {
            if (left == 0 || !connection.isOpen()) {
                return;
            }
            left--;
            connection.send(message).whenComplete((ok, failure) -> {
                if (failure != null) {
                    System.err.println("PushServer: a push failed: " + failure);
                    connection.close();
                } else {
                    sendNext();
                }
            });
        }
    }
}
