package io.pipekit.netty.windows;

import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.pipekit.core.windows.Overlapped;

/**
 * One kind of overlapped operation of one owner (a channel's read, its write, ...): the
 * {@code OVERLAPPED} it is issued with, and its outcome once the completion routine has run (or,
 * issued without one, once the loop has found it ended).
 *
 * <p>While {@link #pending()} the {@code OVERLAPPED} and the buffer the operation was issued
 * with belong to the kernel: the owner frees neither until {@link Owner#ioCompleted} has told it
 * that the routine ran. The loop keeps the count of pending operations, and does not end while
 * one is pending. Confined to its loop's thread.
 */
final class PendingIo {
    /** Who hears an operation's outcome, on the loop thread, after the wait in which its routine ran. */
    interface Owner {
        void ioCompleted(PendingIo op, int errorCode, int bytesTransferred);
    }

    final Overlapped overlapped = new Overlapped();
    final Owner owner;
    private boolean pending;
    int errorCode;
    int bytesTransferred;
    HANDLE file; // issued without a routine: the handle, to ask for its outcome

    PendingIo(Owner owner) {
        this.owner = owner;
    }

    boolean pending() {
        return pending;
    }

    void issued() {
        pending = true;
    }

    /** The routine ran, or the call failed at once and no routine will come. */
    void done() {
        pending = false;
    }
}
