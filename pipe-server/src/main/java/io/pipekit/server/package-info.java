/**
 * The pipekit server: {@link io.pipekit.server.PipeServer}, the documented single-threaded
 * completion-routine named pipe server as a Java API. One thread serves every client, with one of
 * four kinds of handler: a {@link io.pipekit.server.RequestHandler} (the sample's chain read,
 * answer, write, read, until the client disconnects) or an
 * {@link io.pipekit.server.AsyncRequestHandler} (the same, answered later from any thread), a
 * {@link io.pipekit.server.ConnectionHandler} (every message heard as it arrives, sends at any
 * time), or a {@link io.pipekit.server.StreamHandler} (blocking streams on a thread per
 * connection).
 */
package io.pipekit.server;
