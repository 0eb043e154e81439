package io.pipekit.server.internal;

import io.pipekit.core.LengthPrefixFraming;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.PipeException;
import io.pipekit.core.SendQueueFullException;
import io.pipekit.server.ClientInfo;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import io.pipekit.server.RequestHandler;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connection handler behind {@link io.pipekit.server.FramedRequests#answering}: each
 * connection's length-prefixed requests answered in turn, with the flow control the public class
 * describes. Its conversations are kept per connection in a concurrent map, so one instance may
 * serve any number of servers, each touching only its own connections' entries on its own thread.
 */
public final class FramedConversations implements ConnectionHandler {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");

    private final LengthPrefixFraming framing;
    private final RequestHandler handler;
    // Each entry is touched by its connection's server thread only; several servers may share
    // this handler, and so the map (a HashMap here raced between two server threads).
    private final Map<Connection, Conversation> conversations = new ConcurrentHashMap<>();

    public FramedConversations(LengthPrefixFraming framing, RequestHandler handler) {
        this.framing = Objects.requireNonNull(framing, "framing");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public void connected(Connection connection) {
        Conversation conversation = new Conversation(connection);
        conversations.put(connection, conversation);
        if (connection instanceof DrivenConnection driven) {
            driven.pauseReadingWhile(conversation::behind);
        }
    }

    @Override
    public void messageReceived(Connection connection, byte[] bytes) {
        Conversation conversation = conversations.get(connection);
        if (conversation != null) { // else closed while these bytes were on their way
            conversation.received(bytes);
        }
    }

    @Override
    public void closed(Connection connection, PipeException cause) {
        Conversation conversation = conversations.remove(connection);
        if (conversation != null) {
            conversation.over();
            if (conversation.decoder.midFrame() && cause == null) {
                LOG.log(Level.DEBUG, "client " + connection.id() + " left in the middle of a frame");
            }
        }
    }

    /**
     * One connection's requests and answers, on the server thread. While the send queue refuses
     * an answer, that answer and every request read after it wait here, in order; the connection
     * reads no more while any wait ({@link #behind()}), so what waits is at most what was read
     * before reading paused.
     */
    private final class Conversation {
        private final Connection connection;
        private final ClientInfo client;
        private final LengthPrefixFraming.Decoder decoder = framing.decoder();
        private final ArrayDeque<byte[]> waitingRequests = new ArrayDeque<>();
        private byte[] refusedAnswer; // framed; goes out before any waiting request is answered
        private CompletableFuture<Void> lastAccepted = CompletableFuture.completedFuture(null);
        private boolean over;

        Conversation(Connection connection) {
            this.connection = connection;
            this.client = ClientInfo.of(connection);
        }

        boolean behind() {
            return refusedAnswer != null || !waitingRequests.isEmpty();
        }

        void received(byte[] bytes) {
            try {
                decoder.feed(bytes, 0, bytes.length, this::requested);
            } catch (MessageTooLargeException e) {
                LOG.log(Level.WARNING, "client " + connection.id() + ": " + e.getMessage() + "; closing its connection");
                end();
            }
        }

        private void requested(byte[] request) {
            if (over) {
                return; // a frame before this one cost the connection: answer nothing more on it
            }
            if (behind()) {
                waitingRequests.add(request); // answered in turn, once the answers before it are accepted
            } else {
                answer(request);
            }
        }

        /** Answers one request; false if its answer was not accepted, and nothing more may go now. */
        private boolean answer(byte[] request) {
            byte[] framed;
            try {
                framed = framing.frame(handler.answer(client, request));
            } catch (Exception e) {
                LOG.log(Level.WARNING, "the request handler failed for client " + connection.id() + "; closing its connection", e);
                end();
                return false;
            }
            return offer(framed);
        }

        private boolean offer(byte[] framed) {
            CompletableFuture<Void> sent = connection.send(framed).toCompletableFuture();
            if (!sent.isCompletedExceptionally()) {
                lastAccepted = sent;
                return true;
            }
            if (Refusals.cause(sent) instanceof SendQueueFullException) {
                refusedAnswer = framed;
                retryWhenThereIsRoom();
                return false;
            }
            over(); // the connection is over: closed() follows, and there is no one to answer
            return false;
        }

        /**
         * Drains once the send queue has room (everything accepted before is written), always as a
         * task of its own on the server thread, never inside the call that found the queue full:
         * the room may be there at once (another thread's send counted but not queued yet), and a
         * retry inline would be refused and retry again, deeper each time, inside a future that
         * keeps whatever is thrown.
         */
        private void retryWhenThereIsRoom() {
            if (connection instanceof DrivenConnection driven) {
                driven.drained().thenRun(() -> driven.onLoop(this::drainOrEnd));
            } else if (!lastAccepted.isDone()) {
                // A connection that is not the server's own (a wrapper): our last accepted send is
                // written on the server thread, so this runs there, later.
                lastAccepted.handle((ok, failure) -> null).thenRun(this::drainOrEnd);
            } else {
                // Nothing of ours is on its way: others fill the queue, and a wrapper offers no way
                // to wait for their sends. End the connection rather than lose the answer quietly.
                LOG.log(Level.WARNING, "client " + connection.id()
                        + ": its send queue is full of other messages and no answer of its own is on its way; closing its connection");
                end();
            }
        }

        private void drainOrEnd() {
            try {
                drain();
            } catch (Throwable e) {
                LOG.log(Level.WARNING, "answering the waiting requests of client " + connection.id() + " failed; closing its connection", e);
                end();
            }
        }

        /** The queue drained: the refused answer goes first, then each waiting request is answered. */
        private void drain() {
            if (over || !connection.isOpen()) {
                return;
            }
            byte[] framed = refusedAnswer;
            refusedAnswer = null;
            if (!offer(framed)) {
                return;
            }
            while (!waitingRequests.isEmpty() && !over) {
                if (!answer(waitingRequests.poll())) {
                    return;
                }
            }
            if (!over && connection instanceof DrivenConnection driven) {
                driven.resumeReading();
            }
        }

        private void end() {
            over();
            connection.close();
        }

        void over() {
            over = true;
            refusedAnswer = null;
            waitingRequests.clear();
        }

    }
}
