package io.pipekit.server;

import io.pipekit.core.LengthPrefixFraming;
import io.pipekit.server.internal.FramedConversations;

/**
 * Request and answer over a byte-type pipe: cuts each connection's bytes into length-prefixed
 * frames, answers each frame's message with a {@link RequestHandler}, and sends the answer
 * framed the same way. It is how a byte-type server speaks a protocol such as the OpenSSH
 * agent's (4-byte big-endian lengths) with the sample's request-and-answer handler.
 *
 * <pre>{@code
 * PipeServer.builder("agent").pipeType(PipeType.BYTE)
 *         .connectionHandler(FramedRequests.answering(LengthPrefixFraming.u32be(256 * 1024), handler))
 *         .start();
 * }</pre>
 *
 * <p>No answer is lost while the connection lives. A client that sends requests faster than it
 * reads the answers (a pipelining client) fills its connection's send queue up to
 * {@link PipeServer.Builder#maxQueuedBytes}; the server then stops reading that client, answers
 * the requests it has already read as the queue drains, in order, and reads on once they are all
 * answered. The client's writes wait meanwhile, as they do with a request handler that answers
 * one request at a time. A refused answer is retried as a task of its own on the server thread,
 * never inside the call that found the queue full; if the retry fails (the handler throws an
 * {@link Error}, say), the failure is logged and the connection is closed. A connection handed in
 * that is not the server's own (a wrapper) and whose queue is full of other senders' messages,
 * with no answer of its own on its way to wait for, is closed with a warning.
 *
 * <p>A frame announcing more than the framing's maximum closes its connection as soon as its
 * prefix arrives, and is logged; other connections go on. A handler that throws costs its
 * client the connection, as with {@link RequestHandler}. Everything runs on the server thread.
 *
 * <p>The handler {@link #answering} returns keeps each connection's state apart: one may be given
 * to several servers, which then share nothing but the {@code RequestHandler}, and that is called
 * from each server's thread.
 */
public final class FramedRequests {
    private FramedRequests() {
    }

    /**
     * A connection handler that answers each {@code framing} frame with {@code handler}, for
     * {@link PipeServer.Builder#connectionHandler}.
     */
    public static ConnectionHandler answering(LengthPrefixFraming framing, RequestHandler handler) {
        return new FramedConversations(framing, handler);
    }
}
