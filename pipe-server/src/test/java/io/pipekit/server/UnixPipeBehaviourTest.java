package io.pipekit.server;

import io.pipekit.core.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The shared behaviour on Unix domain sockets, natively on Linux and macOS. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixPipeBehaviourTest extends ByteStreamBehaviourSpec {

    @Override
    Transport transport() {
        return Transport.UNIX_DOMAIN_SOCKETS;
    }

    @Override
    long openResources() throws Exception {
        Path fds = Files.isDirectory(Path.of("/proc/self/fd")) ? Path.of("/proc/self/fd") : Path.of("/dev/fd");
        try (Stream<Path> open = Files.list(fds)) {
            return open.count();
        }
    }

    @Override
    String resourceKind() {
        return "open file descriptors";
    }

    @Override
    int manyClients() {
        return 1000;
    }
}
