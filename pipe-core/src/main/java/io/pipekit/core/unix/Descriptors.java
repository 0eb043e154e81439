package io.pipekit.core.unix;

import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;

/**
 * A socket channel's file descriptor, for the libc calls the JDK has no API for. The JDK keeps
 * it in {@code sun.nio.ch}, which pipekit reaches only when the JVM exports that package to it
 * ({@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}, or {@code =io.pipekit.core} on the
 * module path); without it every caller has an answer that needs no descriptor.
 */
final class Descriptors {
    private static final Method FD_VAL = fdValMethod();

    private Descriptors() {
    }

    /** The socket's descriptor, or -1 where the JVM does not let pipekit read it. */
    static int of(SocketChannel channel) {
        if (FD_VAL == null) {
            return -1;
        }
        try {
            return (int) FD_VAL.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    private static Method fdValMethod() {
        try {
            Class<?> selectable = Class.forName("sun.nio.ch.SelChImpl");
            if (!selectable.getModule().isExported(selectable.getPackageName(), Descriptors.class.getModule())) {
                return null;
            }
            return selectable.getMethod("getFDVal");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
