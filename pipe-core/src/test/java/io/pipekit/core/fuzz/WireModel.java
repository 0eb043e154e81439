package io.pipekit.core.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * The reference a decoder is checked against: the frames a length-prefixed wire holds, read the
 * slow and obvious way, one whole array at a time. Fuzz targets feed the same bytes to the real
 * decoder in pieces and compare.
 */
record WireModel(List<byte[]> frames, boolean oversized, boolean truncated) {

    /**
     * Reads {@code wire} as frames with a {@code prefixBytes}-byte unsigned length, big-endian or
     * not, refusing lengths over {@code max}: the frames before the first refused length or the
     * end, whether a length was refused, and whether the wire ends inside a frame.
     */
    static WireModel read(byte[] wire, int prefixBytes, boolean bigEndian, long max) {
        List<byte[]> frames = new ArrayList<>();
        int at = 0;
        while (at < wire.length) {
            if (wire.length - at < prefixBytes) {
                return new WireModel(frames, false, true);
            }
            long length = 0;
            for (int i = 0; i < prefixBytes; i++) {
                int index = bigEndian ? i : prefixBytes - 1 - i;
                length = (length << 8) | (wire[at + index] & 0xff);
            }
            if (length < 0 || length > max) {
                return new WireModel(frames, true, false);
            }
            at += prefixBytes;
            if (wire.length - at < length) {
                return new WireModel(frames, false, true);
            }
            byte[] frame = new byte[(int) length];
            System.arraycopy(wire, at, frame, 0, frame.length);
            frames.add(frame);
            at += frame.length;
        }
        return new WireModel(frames, false, false);
    }

    /** The frames' bodies one after another, as a stream read of them gives. */
    byte[] concatenated() {
        int total = frames.stream().mapToInt(f -> f.length).sum();
        byte[] all = new byte[total];
        int at = 0;
        for (byte[] frame : frames) {
            System.arraycopy(frame, 0, all, at, frame.length);
            at += frame.length;
        }
        return all;
    }
}
