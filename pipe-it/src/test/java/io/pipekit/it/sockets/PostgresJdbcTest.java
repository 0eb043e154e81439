package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.UntrustedServerException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A real PostgreSQL server through pgjdbc, which makes pipekit's factory itself from its
 * {@code socketFactory} and {@code socketFactoryArg} properties (docs/sockets.md's recipe): the
 * server authenticates this process by its Unix peer credentials, so nothing but the socket
 * carries who we are. Required in CI ({@link PostgresGate}).
 */
@EnabledOnOs(OS.LINUX)
class PostgresJdbcTest {
    private static final String USER = System.getProperty("user.name");

    @BeforeAll
    static void serverListens() {
        PostgresGate.checkAvailable();
    }

    @Test
    void pgjdbcQueriesTheServerThroughPipekitsFactory() throws SQLException {
        try (Connection connection = JdbcRecipes.postgres(PostgresGate.SOCKET.toString(), USER);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("select version(), current_user, inet_client_addr() is null")) {
            assertTrue(result.next());
            assertTrue(result.getString(1).startsWith("PostgreSQL "), result.getString(1));
            assertEquals(USER, result.getString(2), "peer authentication: the server saw this process's user");
            assertTrue(result.getBoolean(3), "no client IP address: the connection is the Unix socket, not TCP");
        }
    }

    @Test
    void rowsGoThereAndBackInATransaction() throws SQLException {
        try (Connection connection = JdbcRecipes.postgres(PostgresGate.SOCKET.toString(), USER)) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("create temporary table notes (id int primary key, body text)");
            }
            String big = "x".repeat(200_000); // larger than any socket buffer: many reads and writes
            try (PreparedStatement insert = connection.prepareStatement("insert into notes values (?, ?)")) {
                for (int i = 0; i < 100; i++) {
                    insert.setInt(1, i);
                    insert.setString(2, i == 42 ? big : "note " + i);
                    insert.addBatch();
                }
                assertEquals(100, insert.executeBatch().length);
            }
            connection.commit();
            List<String> read = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("select body from notes order by id")) {
                while (rows.next()) {
                    read.add(rows.getString(1));
                }
            }
            assertEquals(100, read.size());
            assertEquals("note 7", read.get(7));
            assertEquals(big, read.get(42));
        }
    }

    /** The server runs as postgres: without serverUser=postgres, pipekit refuses it before anything is sent. */
    @Test
    void withoutServerUserTheServerOfAnotherUserIsRefused() {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("socketFactory", "io.pipekit.client.PipeSocketFactory");
        properties.setProperty("socketFactoryArg", "unix://" + PostgresGate.SOCKET);
        SQLException refused = assertThrows(SQLException.class,
                () -> DriverManager.getConnection("jdbc:postgresql://localhost/postgres", properties).close());
        assertInstanceOf(UntrustedServerException.class, rootCause(refused), "the cause chain: " + refused);
    }

    /** What a connection pool asks before it hands out a pooled connection. */
    @Test
    void thePoolsValidityCheckSeesItAlive() throws SQLException {
        try (Connection connection = JdbcRecipes.postgres(PostgresGate.SOCKET.toString(), USER)) {
            assertTrue(connection.isValid(2), "isValid: a query over the socket");
            assertFalse(connection.isClosed());
            assertTrue(connection.unwrap(org.postgresql.PGConnection.class).getBackendPID() > 0);
        }
    }

    private static Throwable rootCause(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        return e;
    }
}
