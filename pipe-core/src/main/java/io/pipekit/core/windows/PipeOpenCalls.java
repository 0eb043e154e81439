package io.pipekit.core.windows;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * A test seam at the native-call layer: the flags pipekit passes when it opens a pipe, through
 * {@link Kernel32Ex#CreateNamedPipe} and {@link Kernel32Ex#CreateFile}, as the calls are made.
 *
 * <p>Why: the security rules pipekit asks Windows for ({@code FILE_FLAG_FIRST_PIPE_INSTANCE} on
 * a server's first instance, {@code PIPE_REJECT_REMOTE_CLIENTS} on every one,
 * {@code SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION} on a client's open) leave no trace a
 * test can read back under Wine, which ignores or drops them; the flags at the call are what
 * can be checked there, and the Windows job checks the rules themselves. Nothing is kept unless
 * a test called {@link #record()}; a recording holds the calls of every thread until
 * {@link #stop()}.
 */
public final class PipeOpenCalls {
    /** One call: the function, the pipe path, and its flag arguments (for CreateFile, {@code pipeMode} is 0). */
    public record Call(String function, String path, int openMode, int pipeMode) {
    }

    private static volatile List<Call> recording; // null: nobody is recording

    private PipeOpenCalls() {
    }

    /** Starts recording, dropping any earlier recording. */
    public static synchronized void record() {
        recording = new ArrayList<>();
    }

    /** Stops recording and returns the calls made since {@link #record()}, in order. */
    public static synchronized List<Call> stop() {
        List<Call> calls = recording == null ? List.of() : List.copyOf(recording);
        recording = null;
        return calls;
    }

    private static synchronized void add(Call call) {
        if (recording != null) {
            recording.add(call);
        }
    }

    /** {@code bindings} with the two pipe-opening calls noted on their way through. */
    static Kernel32Ex recorded(Kernel32Ex bindings) {
        InvocationHandler forward = (proxy, method, args) -> {
            if (recording != null) {
                switch (method.getName()) {
                    case "CreateNamedPipe" -> add(new Call("CreateNamedPipe", (String) args[0], (Integer) args[1], (Integer) args[2]));
                    case "CreateFile" -> add(new Call("CreateFile", (String) args[0], (Integer) args[5], 0));
                    default -> {
                        // nothing of interest
                    }
                }
            }
            try {
                return method.invoke(bindings, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Kernel32Ex) Proxy.newProxyInstance(Kernel32Ex.class.getClassLoader(), new Class<?>[] {Kernel32Ex.class}, forward);
    }
}
