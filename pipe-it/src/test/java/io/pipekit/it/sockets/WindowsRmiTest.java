package io.pipekit.it.sockets;

import io.pipekit.testing.WindowsOnly;

/** {@link RmiOverPipesSpec} on Windows named pipes: natively on Windows, under Wine from Linux. */
@WindowsOnly
class WindowsRmiTest extends RmiOverPipesSpec {
}
