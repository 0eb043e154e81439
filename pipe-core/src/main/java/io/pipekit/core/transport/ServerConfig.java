package io.pipekit.core.transport;

import io.pipekit.core.PipeName;
import io.pipekit.core.PipeType;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a server asks of its transport, already validated.
 *
 * @param name the pipe to serve
 * @param maxInstances the most instances (connected plus listening) that may exist at once;
 *     {@link #UNLIMITED_INSTANCES} (255, Windows' {@code PIPE_UNLIMITED_INSTANCES}) means no limit
 *     but the system's resources, as it does for {@code CreateNamedPipe}
 * @param listeningInstances how many instances wait for clients at once
 * @param inBufferSize the pipe's input buffer size in bytes, also the server's read chunk
 * @param outBufferSize the pipe's output buffer size in bytes
 * @param defaultTimeout the wait a client's {@code WaitNamedPipe(NMPWAIT_USE_DEFAULT_WAIT)} gets
 * @param securityDescriptor an SDDL security descriptor for the pipe, or {@code null} for
 *     pipekit's default (the current user and SYSTEM only)
 * @param maxMessageSize the largest request accepted; a longer one costs its client the connection
 * @param pipeType whether the pipe carries messages or a stream of bytes; a byte-type server
 *     hands its listener each read's bytes as they come
 */
public record ServerConfig(PipeName name, int maxInstances, int listeningInstances, int inBufferSize,
        int outBufferSize, Duration defaultTimeout, String securityDescriptor, int maxMessageSize, PipeType pipeType) {

    /**
     * {@code PIPE_UNLIMITED_INSTANCES}: as {@code maxInstances}, no limit but the system's
     * resources. Below it, {@code maxInstances} is a cap.
     */
    public static final int UNLIMITED_INSTANCES = 255;

    public ServerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        Objects.requireNonNull(pipeType, "pipeType");
        if (maxInstances < 1 || maxInstances > UNLIMITED_INSTANCES) {
            throw new IllegalArgumentException("maxInstances must be 1.." + UNLIMITED_INSTANCES + ", got " + maxInstances);
        }
        if (listeningInstances < 1 || listeningInstances > maxInstances) {
            throw new IllegalArgumentException("listeningInstances must be 1..maxInstances (" + maxInstances + "), got " + listeningInstances);
        }
        if (inBufferSize < 1 || outBufferSize < 1) {
            throw new IllegalArgumentException("buffer sizes must be positive");
        }
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be positive, got " + maxMessageSize);
        }
        if (defaultTimeout.isNegative() || defaultTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("defaultTimeout out of range: " + defaultTimeout);
        }
    }

    /**
     * Whether one more instance may exist beside {@code liveInstances}: always when
     * {@code maxInstances} is {@link #UNLIMITED_INSTANCES}, else below the cap.
     */
    public boolean allowsAnotherInstance(int liveInstances) {
        return maxInstances == UNLIMITED_INSTANCES || liveInstances < maxInstances;
    }
}
