package io.pipekit.server;

import io.pipekit.core.Transport;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.core.transport.ServerLoop;
import io.pipekit.server.windows.CompletionRoutineLoop;
import io.pipekit.testing.WindowsOnly;

/** The loop contract on Windows named pipes: the {@link CompletionRoutineLoop}, on Windows and under Wine. */
@WindowsOnly
class WindowsServerLoopTest extends ServerLoopSpec {

    @Override
    Transport transport() {
        return Transport.WINDOWS_NAMED_PIPES;
    }

    @Override
    ServerLoop newLoop(ServerConfig config, ServerLoop.Acceptor acceptor) {
        return new CompletionRoutineLoop(config, acceptor);
    }

    @Override
    int raceRounds() {
        return 30; // each round creates a pipe; under Wine every one is a trip to wineserver
    }
}
