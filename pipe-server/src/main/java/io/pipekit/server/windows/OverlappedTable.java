package io.pipekit.server.windows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the pipe instance an {@code OVERLAPPED} belongs to, by the address a completion routine
 * receives. The sample casts that address to its {@code PIPEINST}, which works only while the
 * {@code OVERLAPPED} is the struct's first member; a lookup assumes no layout, and an address
 * pipekit does not own is reported rather than dereferenced.
 *
 * <p>A {@code HashMap<Long, …>} would box the address on every completion: a 16-byte
 * {@code Long} per read and per write, the largest part of the loop's garbage once the JNA calls
 * were made direct. This table keys on the {@code long} itself (open addressing, linear probing,
 * deletion by shifting back), so a lookup allocates nothing. Confined to the loop thread.
 */
public final class OverlappedTable<V> {
    private long[] keys = new long[16]; // 0: empty slot (no OVERLAPPED lives at address 0)
    private Object[] values = new Object[16];
    private int size;

    /** Maps {@code address}, which must not be 0, to {@code instance}. */
    public void put(long address, V instance) {
        if (address == 0) {
            throw new IllegalArgumentException("address 0");
        }
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int i = slot(address);
        while (keys[i] != 0 && keys[i] != address) {
            i = next(i);
        }
        if (keys[i] == 0) {
            size++;
        }
        keys[i] = address;
        values[i] = instance;
    }

    /** The instance mapped to {@code address}, or {@code null}. */
    @SuppressWarnings("unchecked")
    public V get(long address) {
        if (address == 0) {
            return null;
        }
        for (int i = slot(address); keys[i] != 0; i = next(i)) {
            if (keys[i] == address) {
                return (V) values[i];
            }
        }
        return null;
    }

    /** Unmaps {@code address}; nothing happens if it was not mapped. */
    public void remove(long address) {
        int i = slot(address);
        while (keys[i] != address) {
            if (keys[i] == 0) {
                return;
            }
            i = next(i);
        }
        // Shift later entries of the same probe run back into the hole, so that no lookup stops
        // early at it (no tombstones to clean up later).
        for (int hole = i, j = next(i); ; j = next(j)) {
            if (keys[j] == 0) {
                keys[hole] = 0;
                values[hole] = null;
                size--;
                return;
            }
            int home = slot(keys[j]);
            boolean movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
    }

    public int size() {
        return size;
    }

    /** Every mapped value, once per mapping, in no particular order. */
    @SuppressWarnings("unchecked")
    public List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                out.add((V) values[i]);
            }
        }
        return out;
    }

    private int slot(long address) {
        // Allocations are 16-byte aligned: mix the bits so neighbours do not share a run.
        long h = address * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & (keys.length - 1);
    }

    private int next(int i) {
        return (i + 1) & (keys.length - 1);
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                put(oldKeys[i], (V) oldValues[i]);
            }
        }
        Arrays.fill(oldValues, null);
    }
}
