package io.pipekit.it.sockets;

import io.pipekit.core.PipeException;
import io.pipekit.core.PipeName;
import io.pipekit.core.Transport;
import io.pipekit.core.unix.SocketPaths;
import java.util.List;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link SqlServerOverPipeSpec} over Unix domain sockets: the pipe name with its backslashes is
 * one socket in pipekit's private folder, reached by that name in each of its forms, and by its
 * socket path.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixSqlServerOverPipeTest extends SqlServerOverPipeSpec {
    @Override
    Transport transport() {
        return Transport.UNIX_DOMAIN_SOCKETS;
    }

    @Override
    List<String> addressForms() {
        try {
            return List.of("\\\\.\\pipe\\" + pipeName, "npipe:////./pipe/" + pipeName.replace('\\', '/'),
                    "unix://" + SocketPaths.forName(PipeName.of(pipeName)));
        } catch (PipeException e) {
            throw new AssertionError(e);
        }
    }
}
