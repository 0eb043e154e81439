package io.pipekit.core.windows;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A native I/O buffer owned by one pipe instance or connection. It grows only when a
 * message is larger than any before it, so steady-state serving allocates nothing; the
 * kernel reads from or writes into it, so it must outlive every I/O issued on it.
 */
public final class NativeBuffer {
    private Memory memory;

    public NativeBuffer(int initialSize) {
        memory = new Memory(Math.max(1, initialSize));
        NativeAllocations.allocated();
    }

    /** Makes room for at least {@code size} bytes; call only while no I/O uses the buffer. */
    public void ensureCapacity(int size) {
        if (size > memory.size()) {
            long grown = Math.max(size, Math.min(Integer.MAX_VALUE, memory.size() * 2));
            memory.close();
            NativeAllocations.freed();
            memory = new Memory(grown);
            NativeAllocations.allocated();
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
            NativeAllocations.freed();
        }
    }
}
