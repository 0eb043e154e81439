package io.pipekit.core.windows;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * A native I/O buffer owned by one pipe instance or connection. It grows only when a
 * message is larger than any before it, so steady-state serving allocates nothing; the
 * kernel reads from or writes into it, so it must outlive every I/O issued on it.
 */
public final class NativeBuffer {
    private Memory memory;
    private ByteBuffer view; // the memory as a buffer, made once per allocation: copies from and to buffers allocate nothing

    public NativeBuffer(int initialSize) {
        allocate(Math.max(1, initialSize));
    }

    private void allocate(long size) {
        memory = new Memory(size);
        view = memory.getByteBuffer(0, size);
        NativeAllocations.allocated();
    }

    /** Makes room for at least {@code size} bytes; call only while no I/O uses the buffer. */
    public void ensureCapacity(int size) {
        if (size > memory.size()) {
            long grown = Math.max(size, Math.min(Integer.MAX_VALUE, memory.size() * 2));
            // The new block before the old one goes: the live count never dips below what this
            // buffer holds, so a leak check reading it from another thread meanwhile is not one short.
            Memory old = memory;
            allocate(grown);
            old.close();
            NativeAllocations.freed();
        }
    }

    /** Copies {@code data} to the start of the buffer, growing it first if needed. */
    public void put(byte[] data) {
        put(data, 0, data.length);
    }

    /** Copies {@code length} bytes of {@code data} from {@code offset} to the start of the buffer, growing it first if needed. */
    public void put(byte[] data, int offset, int length) {
        ensureCapacity(length);
        memory.write(0, data, offset, length);
    }

    /** Copies {@code from}'s remaining bytes, which it consumes, to the start of the buffer, growing it first if needed. */
    public void put(ByteBuffer from) {
        ensureCapacity(from.remaining());
        view.clear();
        view.put(from);
    }

    /** Copies {@code length} bytes from the start of the buffer into {@code into}, advancing its position. */
    public void get(ByteBuffer into, int length) {
        view.clear().limit(length);
        into.put(view);
    }

    /** Copies {@code length} bytes from the start of the buffer. */
    public void get(byte[] into, int offset, int length) {
        memory.read(0, into, offset, length);
    }

    public Pointer pointer() {
        return memory;
    }

    public int capacity() {
        return (int) Math.min(Integer.MAX_VALUE, memory.size());
    }

    /** Frees the native memory; idempotent. */
    public void free() {
        if (memory != null) {
            memory.close();
            memory = null;
            view = null;
            NativeAllocations.freed();
        }
    }
}
