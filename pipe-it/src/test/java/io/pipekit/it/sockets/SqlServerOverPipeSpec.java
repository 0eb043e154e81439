package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeType;
import io.pipekit.core.Transport;
import io.pipekit.server.PipeServer;
import io.pipekit.server.StreamHandler;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real SQL Server driver (mssql-jdbc) over pipekit, as docs/sockets.md's recipe sets it up
 * ({@code socketFactoryClass=io.pipekit.client.PipeSocketFactory},
 * {@code socketFactoryConstructorArg=} the pipe), against a stand-in server that speaks the first
 * steps of TDS from the specification ({@link Tds}): there is no SQL Server here. It proves the
 * driver's bytes cross the pipe, framed as MS-TDS says, through the pre-login exchange and up to
 * the LOGIN7 packet, and stops there: no login is answered. Each transport's subclass runs it on
 * pipes named as SQL Server names its own, with backslashes.
 */
abstract class SqlServerOverPipeSpec {
    static final Duration PATIENCE = Duration.ofSeconds(30);
    static final String USER = "pipekit_login";

    /** A name unique to each test, shaped as SQL Server's ({@code MSSQL$NAME\sql\query}). */
    final String pipeName = "pipekit-mssql-" + UUID.randomUUID() + "\\sql\\query";
    private PipeServer server;

    abstract Transport transport();

    /** The pipe as the driver's {@code socketFactoryConstructorArg} names it, for {@link #pipeName}. */
    abstract List<String> addressForms();

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** A pipekit byte server on {@link #pipeName} that serves one client with {@code handler}. */
    void serve(StreamHandler handler) throws Exception {
        server = PipeServer.builder(pipeName).transport(transport()).pipeType(PipeType.BYTE).streamHandler(handler).start();
    }

    /** The driver connects, as the recipe does; with only a stand-in to talk to, it must fail in the end. */
    static SQLException driverConnects(String address) {
        return assertThrows(SQLException.class, () -> JdbcRecipes.sqlServer(address, USER, "unused-password").close());
    }

    /**
     * The driver's first packet is a PRELOGIN message (MS-TDS 2.2.6.5): type 0x12, one packet with
     * the end-of-message status, its length field counting exactly the header and the option table
     * and data it holds, VERSION first and ENCRYPTION "off" as {@code encrypt=false} asks.
     */
    @Test
    void theDriversPreloginCrossesThePipeAsMsTdsFramesIt() throws Exception {
        for (String address : addressForms()) {
            CompletableFuture<Tds.Packet> prelogin = new CompletableFuture<>();
            serve((connection, in, out) -> prelogin.complete(Tds.read(in))); // then hangs up
            SQLException failed = driverConnects(address);
            Tds.Packet packet = prelogin.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            server.close();

            assertEquals(Tds.PRELOGIN, packet.type(), address);
            assertTrue(packet.endOfMessage(), "status " + packet.status());
            assertEquals(packet.length(), 8 + packet.payload().length);
            Map<Integer, byte[]> options = Tds.preloginOptions(packet.payload());
            assertEquals(6, options.get(Tds.VERSION).length, "VERSION is UL_VERSION and US_SUBBUILD");
            assertArrayEquals(new byte[] {Tds.ENCRYPT_OFF}, options.get(Tds.ENCRYPTION));
            assertNoClassCastException(failed);
        }
    }

    /**
     * Answered with a PRELOGIN response that says the server has no encryption, the driver goes on
     * in the clear and sends its LOGIN7 message (2.2.6.4) through the pipe: type 0x10, its own
     * length field matching the packet's, and the user it was given. That is the whole pre-login
     * exchange; the stand-in hangs up there, and the driver reports a closed connection.
     */
    @Test
    void answeredThePreloginTheDriverSendsItsLogin7() throws Exception {
        for (String address : addressForms()) {
            CompletableFuture<Tds.Packet> login = new CompletableFuture<>();
            serve((connection, in, out) -> {
                try {
                    Tds.Packet prelogin = Tds.read(in);
                    if (prelogin.type() != Tds.PRELOGIN) {
                        throw new AssertionError("first packet of type " + prelogin.type());
                    }
                    Tds.answerPrelogin(out, Tds.ENCRYPT_NOT_SUP);
                    login.complete(Tds.read(in));
                } catch (Throwable e) {
                    login.completeExceptionally(e);
                }
            });
            SQLException failed = driverConnects(address);
            Tds.Packet packet = login.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            server.close();

            assertEquals(Tds.LOGIN7, packet.type(), address);
            assertTrue(packet.endOfMessage(), "status " + packet.status());
            assertEquals(packet.payload().length, Tds.login7Length(packet.payload()), "LOGIN7's Length against the packet's");
            assertEquals(USER, Tds.login7UserName(packet.payload()));
            assertNoClassCastException(failed);
        }
    }

    private static void assertNoClassCastException(SQLException failed) {
        for (Throwable e = failed; e != null; e = e.getCause()) {
            if (e instanceof ClassCastException) {
                throw new AssertionError("the driver still casts the socket's address", failed);
            }
        }
    }
}
