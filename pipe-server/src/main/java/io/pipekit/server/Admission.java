package io.pipekit.server;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;

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

    /**
     * Serves only clients of this process's user, .NET's {@code PipeOptions.CurrentUserOnly}: on
     * Windows a client whose token's user (its SID) is this process's token's user; on Unix a
     * client whose uid is this process's effective uid. This process's identity is read once, now
     * ({@link PeerIdentity#currentProcess()}). A client whose user is unknown is refused.
     *
     * <p>On Windows it narrows pipekit's default pipe DACL, which lets {@code SYSTEM} connect too;
     * it does not look at the client's integrity level or elevation: the user's sandboxed
     * processes are that user. On Unix the server already takes only peers of its own uid, and
     * this says so in code.
     *
     * @throws PipeException if this process's own identity cannot be read
     */
    static Admission sameUser() throws PipeException {
        PeerIdentity self = PeerIdentity.currentProcess();
        return client -> self.sid().isPresent() ? client.sid().equals(self.sid())
                : self.uid().isPresent() && client.uid().equals(self.uid());
    }
}
