package io.pipekit.core;

import java.util.Objects;

/**
 * The process serving a pipe is not one the client trusts ({@link ServerTrust}): a squatter,
 * perhaps, that created the name before the real server. The connect fails with this before the
 * client sends anything; {@link #server()} says who was found.
 */
public final class UntrustedServerException extends PipeException {
    private static final long serialVersionUID = 1L;

    private final PeerIdentity server;

    /**
     * A failed connect to {@code server}, which {@code trust} does not accept.
     *
     * @throws NullPointerException if {@code server} or {@code trust} is null
     */
    public UntrustedServerException(String operation, PeerIdentity server, ServerTrust trust) {
        super(operation, NO_CODE, explanation(Objects.requireNonNull(server, "server"), Objects.requireNonNull(trust, "trust")));
        this.server = server;
    }

    private static String explanation(PeerIdentity server, ServerTrust trust) {
        return "the server (" + server.describe()
                + server.integrityLevel().map(level -> " integrity=" + level.name().toLowerCase(java.util.Locale.ROOT)).orElse("")
                + (server.source() != PeerIdentity.Source.PIPE_OWNER ? ""
                        : (server.sessionId().isPresent() ? " session=" + server.sessionId().getAsInt() : "") + ", its user the pipe's owner")
                + ") is not " + trust.describe() + "; nothing was sent";
    }

    /** Who serves the pipe; never null, also once this exception has been serialized and read back. */
    public PeerIdentity server() {
        return server;
    }
}
