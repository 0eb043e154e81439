package io.pipekit.it.sockets;

import io.pipekit.client.PipeSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The JDBC and jsch recipes of docs/sockets.md, as code compiled against the real drivers. The
 * PostgreSQL one runs against a real server ({@link PostgresJdbcTest}); the others have no server
 * here, and {@link DriversReachThePipeTest} checks them up to the pipe.
 */
final class JdbcRecipes {
    private JdbcRecipes() {
    }

    /** PostgreSQL (pgjdbc) on its Unix socket, as {@code user}; the server runs as {@code postgres}. */
    static Connection postgres(String socketPath, String user) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("socketFactory", "io.pipekit.client.PipeSocketFactory");
        properties.setProperty("socketFactoryArg", "unix://" + socketPath + "?serverUser=postgres");
        return DriverManager.getConnection("jdbc:postgresql://localhost/postgres", properties);
    }

    /**
     * SQL Server (mssql-jdbc) over a named pipe: LocalDB's, whose name {@code SqlLocalDB info
     * MSSQLLocalDB} prints as {@code np:\\.\pipe\LOCALDB#...\tsql\query} (give it without
     * {@code np:}); LocalDB runs as the current user, which pipekit trusts by default. A SQL Server
     * service's pipe ({@code \\.\pipe\sql\query}) needs its account trusted:
     * {@code \\.\pipe\sql\query?serverUser=NT SERVICE\MSSQLSERVER}. {@link SqlServerOverPipeSpec}
     * runs it through the pre-login exchange to the driver's LOGIN7, against a stand-in server.
     */
    static Connection sqlServer(String pipe, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("socketFactoryClass", "io.pipekit.client.PipeSocketFactory");
        properties.setProperty("socketFactoryConstructorArg", pipe);
        properties.setProperty("encrypt", "false"); // a local pipe; or keep TLS, with trustServerCertificate for LocalDB's own certificate
        return DriverManager.getConnection("jdbc:sqlserver://localhost:1433", properties);
    }

    /**
     * MySQL (Connector/J): its {@code socketFactory} names a class of its own interface, not a
     * {@code javax.net.SocketFactory}, so the adapter {@link MySqlPipeSocketFactory} stands
     * between; it reads the address from {@code namedPipePath}. The server runs as {@code mysql}.
     */
    static Connection mysql(String pipe, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("socketFactory", "io.pipekit.it.sockets.MySqlPipeSocketFactory");
        properties.setProperty("namedPipePath", pipe); // unix:///var/run/mysqld/mysqld.sock?serverUser=mysql
        return DriverManager.getConnection("jdbc:mysql://localhost/", properties);
    }

    /** jsch (mwiede's): an SSH server reached through a pipe or socket, with jsch's own SocketFactory interface. */
    static com.jcraft.jsch.SocketFactory jschSockets(PipeSocketFactory pipe) {
        return new com.jcraft.jsch.SocketFactory() {
            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return pipe.createSocket(host, port);
            }

            @Override
            public InputStream getInputStream(Socket socket) throws IOException {
                return socket.getInputStream();
            }

            @Override
            public OutputStream getOutputStream(Socket socket) throws IOException {
                return socket.getOutputStream();
            }
        };
    }
}
