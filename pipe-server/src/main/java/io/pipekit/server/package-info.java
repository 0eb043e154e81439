/**
 * The pipekit server: {@link io.pipekit.server.PipeServer}, the documented single-threaded
 * completion-routine named pipe server as a Java API. One thread serves every client; each
 * client's conversation is the chain read, answer, write, read, until it disconnects.
 */
package io.pipekit.server;
