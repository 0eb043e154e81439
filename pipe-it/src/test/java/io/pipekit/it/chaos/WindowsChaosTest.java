package io.pipekit.it.chaos;

import io.pipekit.core.Transport;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.testing.WindowsOnly;

/**
 * The chaos scenarios over Windows named pipes (under Wine in CI, natively on the Windows
 * runner). Resources are pipekit's own open handles and live native blocks, which must come back
 * exactly: Wine's {@code GetProcessHandleCount} is a stub, so the process-wide count cannot be used here.
 */
@WindowsOnly
class WindowsChaosTest extends ChaosSpec {

    @Override
    Transport transport() {
        return Transport.WINDOWS_NAMED_PIPES;
    }

    @Override
    long resources() {
        return NativeHandles.liveCount() + NativeAllocations.liveCount();
    }

    @Override
    boolean resourcesAreExact() {
        return true;
    }

    @Override
    int reducedCycles() {
        return 300;
    }
}
