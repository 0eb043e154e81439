package io.pipekit.it.sockets;

import static java.nio.charset.StandardCharsets.UTF_16LE;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The few pieces of SQL Server's wire protocol, TDS ([MS-TDS]), that a stand-in server needs to
 * read a driver's pre-login and login, and to answer the pre-login: written from the
 * specification, so that what the driver sends is checked against it rather than against itself.
 */
final class Tds {
    /** A packet's type (MS-TDS 2.2.3.1.1). */
    static final int PRELOGIN = 0x12;
    static final int LOGIN7 = 0x10;
    static final int TABULAR_RESULT = 0x04;
    /** The status bit of a message's last packet (2.2.3.1.2). */
    static final int END_OF_MESSAGE = 0x01;
    /** PRELOGIN option tokens (2.2.6.5). */
    static final int VERSION = 0x00;
    static final int ENCRYPTION = 0x01;
    static final int TERMINATOR = 0xFF;
    /** ENCRYPTION values: the client's "off" (encrypt the login only, if the server can), the server's "not supported". */
    static final int ENCRYPT_OFF = 0x00;
    static final int ENCRYPT_NOT_SUP = 0x02;
    private static final int HEADER = 8;

    private Tds() {
    }

    /** One packet: the 8-byte header's fields and the payload that its length field counted. */
    record Packet(int type, int status, int length, byte[] payload) {
        boolean endOfMessage() {
            return (status & END_OF_MESSAGE) != 0;
        }
    }

    /** Reads one packet: the header, then as many bytes as its big-endian length field says, header included. */
    static Packet read(InputStream in) throws IOException {
        byte[] header = in.readNBytes(HEADER);
        if (header.length < HEADER) {
            throw new EOFException("the stream ended within a packet header (" + header.length + " bytes)");
        }
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        if (length < HEADER) {
            throw new IOException("a packet length of " + length + ", less than its own header");
        }
        byte[] payload = in.readNBytes(length - HEADER);
        if (payload.length < length - HEADER) {
            throw new EOFException("the stream ended after " + payload.length + " of a packet's " + (length - HEADER) + " payload bytes");
        }
        return new Packet(header[0] & 0xff, header[1] & 0xff, length, payload);
    }

    /**
     * A PRELOGIN payload's options (token to data), read by the rules of 2.2.6.5: a table of
     * (token, big-endian offset, big-endian length) ending with 0xFF, then the data the offsets
     * point into, VERSION first. Fails unless every option's data lies after the table and inside
     * the payload, and the last option's data ends where the payload ends (the packet's length
     * field counted exactly the message).
     */
    static Map<Integer, byte[]> preloginOptions(byte[] payload) {
        Map<Integer, byte[]> options = new LinkedHashMap<>();
        ByteBuffer table = ByteBuffer.wrap(payload).order(ByteOrder.BIG_ENDIAN);
        int end = 0;
        int[][] entries = new int[16][];
        int count = 0;
        while (true) {
            if (!table.hasRemaining()) {
                throw new AssertionError("the PRELOGIN option table has no 0xFF terminator");
            }
            int token = table.get() & 0xff;
            if (token == TERMINATOR) {
                break;
            }
            if (table.remaining() < 4 || count == entries.length) {
                throw new AssertionError("a PRELOGIN option entry is cut short or there are too many");
            }
            entries[count++] = new int[] {token, table.getShort() & 0xffff, table.getShort() & 0xffff};
        }
        int dataStart = table.position();
        for (int i = 0; i < count; i++) {
            int token = entries[i][0];
            int offset = entries[i][1];
            int length = entries[i][2];
            if (offset < dataStart || offset + length > payload.length) {
                throw new AssertionError("PRELOGIN option " + token + " points at [" + offset + ", " + (offset + length)
                        + "), outside the data [" + dataStart + ", " + payload.length + ")");
            }
            if (options.put(token, java.util.Arrays.copyOfRange(payload, offset, offset + length)) != null) {
                throw new AssertionError("PRELOGIN option " + token + " given twice");
            }
            end = Math.max(end, offset + length);
        }
        if (count == 0 || entries[0][0] != VERSION) {
            throw new AssertionError("VERSION is not the first PRELOGIN option");
        }
        if (end != payload.length) {
            throw new AssertionError("the PRELOGIN data ends at " + end + ", the packet's length field says " + payload.length);
        }
        return options;
    }

    /**
     * Sends the server's PRELOGIN answer, a tabular-result packet holding VERSION (SQL Server
     * 16.0.1000) and ENCRYPTION {@code encryption}.
     */
    static void answerPrelogin(OutputStream out, int encryption) throws IOException {
        byte[] payload = {
            VERSION, 0, 11, 0, 6,
            ENCRYPTION, 0, 17, 0, 1,
            (byte) TERMINATOR,
            16, 0, 0x03, (byte) 0xE8, 0, 0, // major 16, minor 0, build 1000, sub-build 0
            (byte) encryption};
        ByteBuffer packet = ByteBuffer.allocate(HEADER + payload.length).order(ByteOrder.BIG_ENDIAN);
        packet.put((byte) TABULAR_RESULT).put((byte) END_OF_MESSAGE).putShort((short) (HEADER + payload.length))
                .putShort((short) 0).put((byte) 1).put((byte) 0).put(payload);
        out.write(packet.array());
        out.flush();
    }

    /** A LOGIN7 payload's own length (its first field, a little-endian DWORD; 2.2.6.4). */
    static int login7Length(byte[] payload) {
        return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    /** A LOGIN7 payload's UserName: the UTF-16LE text its ibUserName and cchUserName (at 40 and 42) point at. */
    static String login7UserName(byte[] payload) {
        ByteBuffer login = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        int offset = login.getShort(40) & 0xffff;
        int characters = login.getShort(42) & 0xffff;
        return new String(payload, offset, characters * 2, UTF_16LE);
    }
}
