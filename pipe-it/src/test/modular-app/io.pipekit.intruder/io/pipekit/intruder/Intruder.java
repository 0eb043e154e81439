package io.pipekit.intruder;

/** Uses a class of a package io.pipekit.core exports only to pipekit's own modules. */
public final class Intruder {
    public static long handles() {
        return io.pipekit.core.windows.NativeHandles.liveCount();
    }
}
