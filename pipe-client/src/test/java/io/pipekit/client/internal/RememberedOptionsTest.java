package io.pipekit.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The options contract a pipe's Socket and ServerSocket share: what they accept, remember and refuse. */
class RememberedOptionsTest {
    /** An option known by name only, as jdk.net's are to the client module. */
    private static final SocketOption<Integer> KEEP_IDLE = new SocketOption<>() {
        @Override
        public String name() {
            return "TCP_KEEPIDLE";
        }

        @Override
        public Class<Integer> type() {
            return Integer.class;
        }
    };

    private final AtomicBoolean closed = new AtomicBoolean();
    private final RememberedOptions options = new RememberedOptions("a test socket",
            Set.of(StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_RCVBUF), Set.of("TCP_KEEPIDLE"),
            Map.of("TCP_NODELAY", false, "SO_RCVBUF", 65536), closed::get);

    @Test
    void anOptionReadsAsItsDefaultUntilSetThenAsSetWhicheverWayItWasSet() throws Exception {
        assertFalse(options.get(StandardSocketOptions.TCP_NODELAY));
        assertEquals(65536, options.number("SO_RCVBUF"));

        options.set(StandardSocketOptions.TCP_NODELAY, true);
        options.remember("SO_RCVBUF", 1024);

        assertTrue(options.flag("TCP_NODELAY"));
        assertEquals(1024, options.get(StandardSocketOptions.SO_RCVBUF));
    }

    @Test
    void anOptionAcceptedByNameOnlyIsNullUntilSetAndIsNotListedAsSupported() throws Exception {
        assertNull(options.get(KEEP_IDLE));
        options.set(KEEP_IDLE, 30);
        assertEquals(30, options.get(KEEP_IDLE));
        assertEquals(Set.of(StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_RCVBUF), options.supported());
    }

    @Test
    void anOptionNotAcceptedIsRefusedWithUnsupportedOperationNamingTheOwnerAndTheOption() {
        UnsupportedOperationException set = assertThrows(UnsupportedOperationException.class,
                () -> options.set(StandardSocketOptions.SO_BROADCAST, true));
        assertEquals("a test socket has no option SO_BROADCAST", set.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> options.get(StandardSocketOptions.SO_BROADCAST));
    }

    @Test
    void aNullValueIsRefusedWithIllegalArgumentAndANullNameWithNullPointer() throws Exception {
        IllegalArgumentException nullValue = assertThrows(IllegalArgumentException.class,
                () -> options.set(StandardSocketOptions.TCP_NODELAY, null));
        assertEquals("a value for TCP_NODELAY must not be null", nullValue.getMessage());
        assertFalse(options.flag("TCP_NODELAY"), "a refused value is not remembered");
        assertThrows(NullPointerException.class, () -> options.set(null, true));
        assertThrows(NullPointerException.class, () -> options.get(null));
    }

    @Test
    void onceClosedEveryReadAndWriteIsASocketExceptionBeforeTheOptionIsLookedAt() {
        closed.set(true);

        for (Executable call : List.<Executable>of(
                () -> options.set(StandardSocketOptions.TCP_NODELAY, true),
                () -> options.set(StandardSocketOptions.SO_BROADCAST, true), // closed first, not unsupported
                () -> options.get(StandardSocketOptions.TCP_NODELAY),
                () -> options.remember("TCP_NODELAY", true),
                () -> options.flag("TCP_NODELAY"),
                () -> options.number("SO_RCVBUF"))) {
            assertEquals("Socket is closed", assertThrows(SocketException.class, call).getMessage());
        }
    }
}
