package io.pipekit.it.sockets;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.NoSuchPipeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The recipes with no server here (SQL Server, MySQL, an SSH server through jsch), checked as far
 * as they go without one: each driver makes pipekit's factory from its own property, its first
 * bytes of protocol come out of the pipe (read here by a stand-in server on a Unix socket, which
 * then hangs up), and with nothing listening the failure it reports carries pipekit's typed
 * {@link ConnectException}, caused by {@link NoSuchPipeException}. SQL Server's driver goes further,
 * through its pre-login exchange, in {@link SqlServerOverPipeSpec}.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class DriversReachThePipeTest {
    private Path dir;
    private Path socket;

    @BeforeEach
    void socketPath() throws IOException {
        dir = Files.createTempDirectory("pipekit-drivers");
        socket = dir.resolve("server.sock");
    }

    @AfterEach
    void removeIt() throws IOException {
        Files.deleteIfExists(socket);
        Files.delete(dir);
    }

    @Test
    void sqlServerReportsNoPipeWithPipekitsMessage() {
        SQLException failed = assertThrows(SQLException.class, () -> JdbcRecipes.sqlServer("unix://" + socket, "sa", "unused").close());
        assertTrue(failed.getMessage().contains("no pipe or socket at " + socket), failed.getMessage());
    }

    @Test
    void mysqlConnectsThroughTheAdapterAndWaitsForTheGreeting() throws Exception {
        try (StandIn server = new StandIn(socket, in -> new byte[0], "")) { // hangs up before MySQL's greeting
            assertThrows(SQLException.class, () -> JdbcRecipes.mysql("unix://" + socket, "root", "unused").close());
            server.accepted.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void mysqlReportsNoPipeAsTheTypedConnectException() {
        SQLException failed = assertThrows(SQLException.class, () -> JdbcRecipes.mysql("unix://" + socket, "root", "unused").close());
        assertNoPipe(failed);
    }

    @Test
    void jschExchangesVersionsThroughThePipe() throws Exception {
        try (StandIn server = new StandIn(socket, in -> in.readNBytes(8), "SSH-2.0-pipekit-stand-in\r\n")) {
            Session session = new JSch().getSession("user", "localhost", 22);
            session.setSocketFactory(JdbcRecipes.jschSockets(PipeSocketFactory.of("unix://" + socket)));
            assertThrows(JSchException.class, () -> session.connect(10_000));
            assertEquals("SSH-2.0-", new String(server.received.get(30, TimeUnit.SECONDS), US_ASCII), "jsch's version line");
        }
    }

    @Test
    void jschReportsNoPipeAsTheTypedConnectException() throws Exception {
        Session session = new JSch().getSession("user", "localhost", 22);
        session.setSocketFactory(JdbcRecipes.jschSockets(PipeSocketFactory.of("unix://" + socket)));
        assertNoPipe(assertThrows(JSchException.class, () -> session.connect(10_000)));
    }

    private static void assertNoPipe(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause()) {
            if (e instanceof ConnectException && e.getCause() instanceof NoSuchPipeException) {
                return;
            }
        }
        throw new AssertionError("no ConnectException caused by NoSuchPipeException in the chain", failure);
    }

    /** What the stand-in server does with the one client it accepts, before it hangs up. */
    private interface Reading {
        byte[] read(InputStream in) throws IOException;
    }

    /** A server on a Unix socket that accepts one client, says a greeting, reads, and hangs up; closing it stops it. */
    private static final class StandIn implements AutoCloseable {
        final CompletableFuture<Void> accepted = new CompletableFuture<>();
        final CompletableFuture<byte[]> received = new CompletableFuture<>();
        private final ServerSocketChannel listener;

        StandIn(Path socket, Reading reading, String greeting) throws IOException {
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(socket));
            Thread server = new Thread(() -> {
                try (SocketChannel client = listener.accept()) {
                    accepted.complete(null);
                    client.write(ByteBuffer.wrap(greeting.getBytes(US_ASCII)));
                    received.complete(reading.read(Channels.newInputStream(client)));
                } catch (IOException | RuntimeException e) {
                    accepted.completeExceptionally(e);
                    received.completeExceptionally(e);
                }
            }, "stand-in server");
            server.setDaemon(true);
            server.start();
        }

        @Override
        public void close() throws IOException {
            listener.close(); // ends a waiting accept
        }
    }
}
