package io.pipekit.server;

import io.pipekit.core.PeerIdentity;

/**
 * Decides, from who a client is, whether the server serves it at all: it runs on the server
 * thread when the client connects, before any of its messages is read. A refused client is
 * disconnected and logged, and the server goes on with the others. Set with
 * {@link PipeServer.Builder#admission}.
 *
 * <pre>{@code
 * PipeServer.builder("agent")
 *         .admission(client -> client.elevation() != PeerIdentity.Elevation.YES)
 *         ...
 * }</pre>
 *
 * <p>It decides on what the operating system vouches for: the user (SID or uid) above all. A
 * process id is a hint, not proof (an exited process's id is reused). It must be quick: while it
 * runs, no other client is served. If it throws, the client is refused.
 *
 * <p>A refused client is told nothing more: it sees {@link io.pipekit.core.PeerClosedException},
 * just as if the server had gone away. On Windows a named pipe has no way to say more without
 * writing into the client's own protocol, and pipekit keeps both transports alike. The server logs
 * each refusal (a WARNING naming the client and its identity; an admission that threw, an ERROR
 * with the exception): that log is where a refusal is told apart from a crash.
 */
@FunctionalInterface
public interface Admission {

    /** Whether to serve {@code client}. */
    boolean admits(PeerIdentity client);

    /** Serves every client the pipe's own access rules let in: the default. */
    static Admission everyone() {
        return client -> true;
    }
}
