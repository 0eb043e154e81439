package io.pipekit.server.internal;

import io.pipekit.core.PeerIdentity;
import io.pipekit.server.Admission;

/**
 * Asks an {@link Admission} about a client, and logs a refusal: what {@code PipeServer} and
 * pipe-netty's server channels do before a client is served, written once so the log that tells a
 * refusal from a crash reads the same everywhere.
 */
public final class AdmissionCheck {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");

    private AdmissionCheck() {
    }

    /**
     * Whether {@code admission} admits {@code identity}; a refusal is logged as a WARNING, an
     * admission that throws as an ERROR with its exception, and counts as a refusal.
     *
     * @param client how the log names the client (an id)
     * @param pipe how the log names the pipe
     */
    public static boolean admits(Admission admission, PeerIdentity identity, Object client, String pipe) {
        boolean admitted;
        try {
            admitted = admission.admits(identity);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the admission check failed for client " + client + " ("
                    + identity + ") on " + pipe + "; refusing it", e);
            return false;
        }
        if (!admitted) {
            LOG.log(System.Logger.Level.WARNING, "refused client " + client + " (" + identity
                    + ") on " + pipe + ": the admission check said no");
        }
        return admitted;
    }
}
