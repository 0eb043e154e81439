package io.pipekit.core.windows;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.ServerTrust;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Whether a client trusts a pipe's server: the rule itself, a pure function of what the two
 * tokens say (the server's identity and the client's own), so that it is tested without
 * Windows. {@link PipeServerIdentity#trusted} feeds it the facts Windows gives.
 */
public final class ServerTrustDecision {

    /** The SID of an account named in a {@link ServerTrust}, as the client looked it up when its builder got the trust. */
    @FunctionalInterface
    public interface SidLookup {
        /** The SID of {@code account}, a name or a SID string. */
        String sidOf(String account) throws PipeException;
    }

    private ServerTrustDecision() {
    }

    /**
     * Whether {@code trust} accepts {@code server}, for a client whose own process token says
     * {@code client}.
     *
     * <ul>
     *   <li>The server's user must be one the trust names, by SID; a server whose user is unknown
     *       is not accepted. "The system" ({@link ServerTrust#acceptsSystem()}) is
     *       {@code LocalSystem} as a service's pipe shows it: a server whose user is
     *       {@code S-1-5-18}, read from its token or from the pipe's owner; or a pipe owned by
     *       {@code BUILTIN\Administrators} whose server's token could not be read and which was
     *       created in session 0, the services' session. Administrators is the default owner of
     *       what a {@code LocalSystem} process creates, and of what an elevated administrator
     *       creates too; the session tells the two apart, since interactive users run in session 1
     *       and above. A token's user is never a group, so Administrators counts only as an owner.</li>
     *   <li>Unless the trust {@link ServerTrust#acceptsLowerIntegrity() allows it}, the server's
     *       integrity level must be the client's or above: a sandboxed process of the client's own
     *       user ({@code LOW}, {@code UNTRUSTED}) that created the name first is refused.</li>
     *   <li>A server of the client's own user whose level is unknown is refused as well: the
     *       client may open the token of any process of its user, unless that process denied it
     *       access to itself, which is what a squatter trying to hide its level would do.</li>
     *   <li>A server of another account whose level is unknown is judged by its user alone: that
     *       is a service whose process the client may not open, known by the pipe's owner, which no
     *       process of the client's user can set to another account.</li>
     *   <li>A client that cannot read its own level (none before Vista) decides on the user.</li>
     * </ul>
     */
    public static boolean accepts(ServerTrust trust, PeerIdentity client, PeerIdentity server, SidLookup lookup)
            throws PipeException {
        if (trust.acceptsAnyServer()) {
            return true;
        }
        if (server.sid().isEmpty() || !(trust.acceptsSystem() && isTheSystem(server)
                || trustedSids(trust, client, lookup).contains(server.sid().get()))) {
            return false;
        }
        if (trust.acceptsLowerIntegrity() || client.integrityLevel().isEmpty()) {
            return true;
        }
        if (server.integrityLevel().isEmpty()) {
            return !server.sid().equals(client.sid());
        }
        return server.integrityLevel().get().compareTo(client.integrityLevel().get()) >= 0;
    }

    /** Whether {@code server} is {@code LocalSystem}, by its token or by its pipe's owner and session. */
    private static boolean isTheSystem(PeerIdentity server) {
        String sid = server.sid().orElseThrow();
        return sid.equals(Tokens.SYSTEM_SID) || server.source() == PeerIdentity.Source.PIPE_OWNER
                && sid.equals(Tokens.ADMINISTRATORS_SID) && server.sessionId().equals(OptionalInt.of(0));
    }

    private static Set<String> trustedSids(ServerTrust trust, PeerIdentity client, SidLookup lookup) throws PipeException {
        Set<String> sids = new HashSet<>();
        if (trust.acceptsCurrentUser()) {
            client.sid().ifPresent(sids::add);
        }
        for (String user : trust.users()) {
            sids.add(lookup.sidOf(user));
        }
        return sids;
    }
}
