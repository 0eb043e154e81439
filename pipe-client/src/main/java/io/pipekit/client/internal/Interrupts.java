package io.pipekit.client.internal;

import io.pipekit.core.PipeException;
import io.pipekit.core.PipeInterruptedException;
import java.nio.channels.spi.AbstractInterruptibleChannel;

/**
 * What a client call does when its thread is interrupted while it waits, as the JDK's own
 * blocking I/O does ({@link java.nio.channels.ClosedByInterruptException}): the connection is
 * closed, the call throws {@link PipeInterruptedException}, and the thread's interrupt flag stays
 * set.
 *
 * <p>A wait the JDK cannot interrupt (a native wait such as {@code WaitForMultipleObjects}) is
 * bracketed by {@link #beginWait()} and {@link #endWait()}: the JDK's interrupt hook for channels
 * calls back here, on the interrupting thread, and closes the connection, which ends the wait. (A
 * {@link java.nio.channels.Selector} wait must not be bracketed: it registers a hook of its own
 * in the thread, which replaces this one. It wakes on an interrupt by itself.)
 */
public final class Interrupts extends AbstractInterruptibleChannel {
    private final Runnable closeConnection;

    /** {@code closeConnection} closes the connection and wakes whatever waits on it; from any thread. */
    public Interrupts(Runnable closeConnection) {
        this.closeConnection = closeConnection;
    }

    /**
     * Before a native wait: from here until {@link #endWait()}, an interrupt of this thread closes
     * the connection; if the thread is interrupted already, it is closed now.
     */
    public void beginWait() {
        begin();
    }

    /** After the wait: whether an interrupt of this thread closed the connection meanwhile. */
    public boolean endWait() {
        try {
            end(true);
            return false;
        } catch (java.nio.channels.ClosedByInterruptException interrupted) {
            return true;
        } catch (java.nio.channels.AsynchronousCloseException notThisThread) {
            return false; // end(true) never says this; a close by another thread is the caller's to see
        }
    }

    @Override
    protected void implCloseChannel() {
        closeConnection.run();
    }

    /**
     * The exception for {@code operation} interrupted; sets the thread's interrupt flag again (a
     * caught InterruptedException has cleared it). {@code state} says what was closed.
     */
    public static PipeInterruptedException interrupted(String operation, String state, Throwable cause) {
        Thread.currentThread().interrupt();
        return new PipeInterruptedException(operation, PipeException.NO_CODE, "interrupted; " + state, cause);
    }
}
