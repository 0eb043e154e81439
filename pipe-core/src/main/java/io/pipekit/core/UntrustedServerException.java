package io.pipekit.core;

/**
 * The process serving a pipe is not one the client trusts ({@link ServerTrust}): a squatter,
 * perhaps, that created the name before the real server. The connect fails with this before the
 * client sends anything; {@link #server()} says who was found.
 */
public final class UntrustedServerException extends PipeException {
    private static final long serialVersionUID = 1L;

    private final transient PeerIdentity server;

    public UntrustedServerException(String operation, PeerIdentity server, ServerTrust trust) {
        super(operation, NO_CODE, "the server (" + server.describe()
                + server.integrityLevel().map(level -> " integrity=" + level.name().toLowerCase(java.util.Locale.ROOT)).orElse("")
                + (server.source() != PeerIdentity.Source.PIPE_OWNER ? ""
                        : (server.sessionId().isPresent() ? " session=" + server.sessionId().getAsInt() : "") + ", its user the pipe's owner")
                + ") is not " + trust.describe() + "; nothing was sent");
        this.server = server;
    }

    /** Who serves the pipe. */
    public PeerIdentity server() {
        return server;
    }
}
