package io.pipekit.it.sockets;

import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link RmiOverPipesSpec} on Unix domain sockets, natively on Linux and macOS. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixRmiTest extends RmiOverPipesSpec {
}
