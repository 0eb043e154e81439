package io.pipekit.core.windows;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT.HANDLE;

/**
 * A native {@code OVERLAPPED} that pipekit owns. It is allocated once per pipe instance and
 * reused for each operation, so steady-state I/O allocates no native memory; it must stay
 * alive until the operation's completion has run, which is why its owner, not a call site,
 * decides when to {@link #free()} it.
 *
 * <p>Layout on 64-bit Windows: {@code Internal} (the NTSTATUS), {@code InternalHigh} (bytes
 * transferred), {@code Offset}/{@code OffsetHigh}, {@code hEvent}: 32 bytes.
 */
public final class Overlapped {
    private static final int SIZE = 32;
    private static final int EVENT_OFFSET = 24;

    private final Memory memory = new Memory(SIZE);
    // Kept apart from the Memory, whose address JNA zeroes on close: an owner that looks its
    // operation up by address after free must still find the key it registered (a PipeInstance
    // once did, missed, and kept every ended instance on the heap).
    private final long address = Pointer.nativeValue(memory);
    private boolean freed;

    public Overlapped() {
        NativeAllocations.allocated();
        reset(null);
    }

    /** Zeroes the structure for a new operation; {@code event} goes into {@code hEvent}. */
    public void reset(HANDLE event) {
        memory.clear();
        memory.setPointer(EVENT_OFFSET, event == null ? null : event.getPointer());
    }

    /** The pointer to pass to Win32, and to recognise in a completion routine. */
    public Pointer pointer() {
        return memory;
    }

    /**
     * The native address, for looking up the operation a completion routine belongs to. It stays
     * what it was after {@link #free()}, so that a lookup table can still be cleaned by it.
     */
    public long address() {
        return address;
    }

    /**
     * The NTSTATUS of the operation ({@code Internal}). It says the truth where the completion
     * routine's error code may not: a partial message read completes with
     * {@link Kernel32Ex#STATUS_BUFFER_OVERFLOW} here.
     */
    public int status() {
        return (int) memory.getLong(0);
    }

    /** The bytes the completed operation transferred ({@code InternalHigh}). */
    public int bytesTransferred() {
        return (int) memory.getLong(8);
    }

    /** Whether the operation has completed ({@code HasOverlappedIoCompleted}). */
    public boolean completed() {
        return status() != Kernel32Ex.STATUS_PENDING;
    }

    /** Frees the native memory; only once no operation uses it any more. Idempotent. */
    public void free() {
        if (!freed) {
            freed = true;
            memory.close();
            NativeAllocations.freed();
        }
    }
}
