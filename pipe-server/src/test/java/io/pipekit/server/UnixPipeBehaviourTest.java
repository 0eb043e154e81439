package io.pipekit.server;

import io.pipekit.core.Transport;
import io.pipekit.testing.Resources;
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
        return Resources.openChannelDescriptors();
    }

    @Override
    String resourceKind() {
        return "open socket, pipe and selector descriptors";
    }

    @Override
    int manyClients() {
        return 1000;
    }
}
