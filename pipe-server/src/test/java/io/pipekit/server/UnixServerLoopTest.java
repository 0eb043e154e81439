package io.pipekit.server;

import io.pipekit.core.Transport;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.core.transport.ServerLoop;
import io.pipekit.server.unix.SelectorLoop;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The loop contract on Unix domain sockets: the {@link SelectorLoop}. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixServerLoopTest extends ServerLoopSpec {

    @Override
    Transport transport() {
        return Transport.UNIX_DOMAIN_SOCKETS;
    }

    @Override
    ServerLoop newLoop(ServerConfig config, ServerLoop.Acceptor acceptor) {
        return new SelectorLoop(config, acceptor);
    }

    @Override
    int raceRounds() {
        return 200;
    }
}
