package io.pipekit.core.transport;

import io.pipekit.core.Transport;

/**
 * The one rule both builders apply when a transport is set: each transport runs on its own kind of
 * operating system only. Named pipes need Windows (off Windows, JNA fails to link kernel32 late,
 * inside {@code start()} or {@code connect()}); pipekit's Unix domain sockets need Linux or macOS
 * (the server reads the peer's credentials with {@code SO_PEERCRED} and {@code geteuid} and sets
 * POSIX permissions, none of which Windows' {@code AF_UNIX} offers, and that pairing was never
 * tested).
 */
public final class Transports {
    private Transports() {
    }

    /**
     * {@code transport} if it runs on this operating system.
     *
     * @throws IllegalArgumentException naming the transport and this operating system, if not
     */
    public static Transport checkedForThisOs(Transport transport) {
        Transport here = Transport.forThisOs();
        if (transport == here) {
            return transport;
        }
        String os = System.getProperty("os.name");
        throw new IllegalArgumentException(transport == Transport.WINDOWS_NAMED_PIPES
                ? "transport WINDOWS_NAMED_PIPES needs Windows, and this is " + os + ": use UNIX_DOMAIN_SOCKETS (the default here)"
                : "transport UNIX_DOMAIN_SOCKETS needs Linux or macOS, and this is " + os
                        + ": pipekit's sockets rely on Unix-only calls (SO_PEERCRED, geteuid, POSIX permissions);"
                        + " use WINDOWS_NAMED_PIPES (the default here)");
    }
}
