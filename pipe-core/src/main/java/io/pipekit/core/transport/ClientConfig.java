package io.pipekit.core.transport;

import io.pipekit.core.PipeName;
import io.pipekit.core.ReadMode;
import java.time.Duration;
import java.util.Objects;

/**
 * What a client asks of its transport when it connects.
 *
 * @param name the pipe to connect to
 * @param connectTimeout how long to keep trying while the pipe is absent or every instance busy;
 *     zero means one attempt
 * @param readOnly open for reading only (a server that only writes)
 * @param allowImpersonation let the server impersonate this client; off by default, so the
 *     server may only identify it ({@code SECURITY_IDENTIFICATION})
 * @param maxMessageSize the largest message accepted from the server
 * @param readMode how to read the pipe; {@link ReadMode#AUTO} takes the pipe's own type
 * @param serverTrust which servers to accept, by the user they run as, its accounts already looked up;
 *     checked before anything is sent
 */
public record ClientConfig(PipeName name, Duration connectTimeout, boolean readOnly, boolean allowImpersonation,
        int maxMessageSize, ReadMode readMode, ResolvedServerTrust serverTrust) {
    public ClientConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(readMode, "readMode");
        Objects.requireNonNull(serverTrust, "serverTrust");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.isNegative()) {
            throw new IllegalArgumentException("connectTimeout must not be negative: " + connectTimeout);
        }
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive, got " + maxMessageSize);
        }
    }
}
