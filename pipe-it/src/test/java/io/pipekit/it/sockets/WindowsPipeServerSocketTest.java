package io.pipekit.it.sockets;

import io.pipekit.core.Transport;
import io.pipekit.testing.WindowsOnly;

/** {@link PipeServerSocketSpec} on Windows named pipes: natively on Windows, under Wine from Linux. */
@WindowsOnly
class WindowsPipeServerSocketTest extends PipeServerSocketSpec {
    @Override
    Transport transport() {
        return Transport.WINDOWS_NAMED_PIPES;
    }
}
