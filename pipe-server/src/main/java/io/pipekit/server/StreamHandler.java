package io.pipekit.server;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * Serves one connection with blocking streams, on a thread of its own: for code written against
 * {@link InputStream} and {@link OutputStream} (a protocol library, {@code in.transferTo(out)}),
 * which cannot run on the server's one thread. Set with {@link PipeServer.Builder#streamHandler(StreamHandler)}
 * (a platform daemon thread per connection) or
 * {@link PipeServer.Builder#streamHandler(StreamHandler, java.util.concurrent.ThreadFactory)} (threads
 * of your factory, such as {@code Thread.ofVirtual().factory()} on Java 21 and later).
 *
 * <pre>{@code
 * PipeServer.builder("echo").pipeType(PipeType.BYTE)
 *         .streamHandler((connection, in, out) -> in.transferTo(out))
 *         .start();
 * }</pre>
 *
 * <p>The input stream returns what the client wrote (on a message-type pipe, its messages one
 * after another) and -1 once the client has closed its end. On a Unix domain socket the client may
 * also half-close ({@code shutdown(SHUT_WR)}, {@code Socket.shutdownOutput()}, {@code nc -N}): the
 * input then ends with -1 while the connection stays open, and what the handler writes still
 * reaches the client (a request whose end the client marks by half-closing). A named pipe has no
 * half-close. It holds at most about
 * {@link PipeServer.Builder#maxQueuedBytes} that the handler has not read yet: beyond that the
 * server stops reading this client, whose writes then wait, until the handler catches up. The
 * output stream sends each {@code write} as one write (one message on a message-type pipe),
 * waits while the connection's send queue is full, and {@code flush()} waits until everything is
 * written.
 *
 * <p>The output stream may be written from several threads at once, such as a language server
 * answering on this thread while another pushes notifications: each {@code write} goes out whole
 * (one message on a message-type pipe, never interleaved with another write on a byte-type one),
 * and writes go out in the order their calls began, including writers that wait for room in the
 * send queue. {@code flush()} waits for every write that began before it. What is sent with
 * {@link Connection#send} meanwhile goes out between two whole writes. The input stream is for
 * one reader at a time, as any {@code InputStream}.
 *
 * <p>When {@code serve} returns (or the handler closes the output stream), the output is flushed
 * and the connection closed, and the client still reads everything written, then the end of the
 * stream, however late it reads: on Windows the server closes its handle to the instance rather
 * than disconnecting it ({@code DisconnectNamedPipe} would discard what the client has not read).
 * Two exceptions on Windows, where the instance is disconnected as any other and what the client
 * has not read yet is lost: when {@link PipeServer.Builder#maxInstances} is capped (below
 * {@code PIPE_UNLIMITED_INSTANCES}, 255), since an instance closed without a disconnect lives on
 * until the client closes its end and would still count against the cap; and when no other
 * instance of the server listens to keep the pipe's name. Closing the input
 * stream closes the connection too, keeping what is written likewise; writes still waiting fail.
 * When {@code serve} throws, the connection is closed at once, and what the client has not read
 * may be lost.
 *
 * <p>The streams fail as {@code PipeClient}'s do, with a {@link io.pipekit.core.PipeException}
 * subtype: a thread interrupted while it waits in a read or a write gets a
 * {@link io.pipekit.core.PipeInterruptedException} with its interrupt flag set, and the connection
 * is closed (the read or write is half done); a read or write after this side closed the
 * connection (the handler, {@link Connection#close()}, or the server closing) gets a
 * {@link io.pipekit.core.PipeClosedException}; a write after the client left gets a
 * {@link io.pipekit.core.PeerClosedException}, while a read then returns what is left and -1.
 */
@FunctionalInterface
public interface StreamHandler {
    /** Serves {@code connection} until done; runs on a thread of the connection's own (the factory's, if one was given). */
    void serve(Connection connection, InputStream in, OutputStream out) throws Exception;
}
