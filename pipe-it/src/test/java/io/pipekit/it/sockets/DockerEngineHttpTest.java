package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeSocket;
import io.pipekit.client.PipeSocketFactory;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import okhttp3.OkHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.util.TimeValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The real Docker engine, at /var/run/docker.sock, through {@link PipeSocketFactory} with two HTTP
 * clients nobody on the project wrote (issue 26): each reads /version and /containers/json, several
 * requests go over one pooled connection, and the pooled socket passes the pools' health check (a
 * read with a 1 ms deadline that times out and leaves it usable). Required in CI ({@link DockerEngineGate}).
 */
@EnabledOnOs(OS.LINUX)
class DockerEngineHttpTest {
    private static final PipeSocketFactory ENGINE = PipeSocketFactory.of("unix:///var/run/docker.sock");

    @BeforeAll
    static void engineAnswers() {
        DockerEngineGate.checkAvailable(ENGINE);
    }

    @Test
    void apacheHttpClientReadsVersionAndContainersOverOnePooledConnection() throws Exception {
        CountingSocketFactory sockets = new CountingSocketFactory(ENGINE);
        // Zero: HttpClient's own stale check runs before every reuse. Had its 1 ms read failed
        // with anything but SocketTimeoutException, the connection would count as stale and a
        // second socket would be made.
        try (CloseableHttpClient http = DockerEngineRecipes.httpClient(sockets, TimeValue.ZERO_MILLISECONDS)) {
            for (int i = 0; i < 3; i++) {
                assertIsVersion(DockerEngineRecipes.getWithHttpClient(http, "/version"));
                assertIsList(DockerEngineRecipes.getWithHttpClient(http, "/containers/json"));
            }
            assertEquals(1, sockets.made.size(), "six requests, one connection: " + sockets.made);
            passesTheHealthCheck(sockets.made.get(0));
            assertIsVersion(DockerEngineRecipes.getWithHttpClient(http, "/version"));
            assertEquals(1, sockets.made.size(), "the connection served on after the check: " + sockets.made);
        }
    }

    @Test
    void okHttpReadsVersionAndContainersOverOnePooledConnection() throws Exception {
        CountingSocketFactory sockets = new CountingSocketFactory(ENGINE);
        OkHttpClient http = DockerEngineRecipes.okHttp(sockets);
        try {
            for (int i = 0; i < 3; i++) {
                assertIsVersion(DockerEngineRecipes.getWithOkHttp(http, "/version"));
                assertIsList(DockerEngineRecipes.getWithOkHttp(http, "/containers/json"));
            }
            assertEquals(1, sockets.made.size(), "six requests, one connection: " + sockets.made);
            passesTheHealthCheck(sockets.made.get(0));
            assertIsVersion(DockerEngineRecipes.getWithOkHttp(http, "/version"));
            assertEquals(1, sockets.made.size(), "the connection served on after the check: " + sockets.made);
        } finally {
            http.connectionPool().evictAll();
            http.dispatcher().executorService().shutdown();
        }
    }

    @Test
    void theDockerHostRecipeNamesAnEngineOnThisSystem() {
        // Whatever DOCKER_HOST says here, the recipe's factory parses it (or takes Docker's default).
        assertTrue(((PipeSocketFactory) DockerEngineRecipes.dockerSockets()).address().toString().length() > 1);
    }

    /**
     * What HttpClient's stale check and OkHttp's health check do to an idle pooled socket: read
     * with a 1 ms timeout, expect SocketTimeoutException, put the timeout back.
     */
    private static void passesTheHealthCheck(Socket pooled) throws IOException {
        assertInstanceOf(PipeSocket.class, pooled);
        assertFalse(pooled.isClosed() || pooled.isInputShutdown() || pooled.isOutputShutdown());
        int before = pooled.getSoTimeout();
        pooled.setSoTimeout(1);
        try {
            assertThrows(SocketTimeoutException.class, () -> pooled.getInputStream().read());
        } finally {
            pooled.setSoTimeout(before);
        }
        assertEquals(0, pooled.getInputStream().available());
    }

    private static void assertIsVersion(String body) {
        assertTrue(body.contains("\"ApiVersion\"") && body.contains("\"Version\""), body);
    }

    private static void assertIsList(String body) {
        assertTrue(body.startsWith("["), body);
    }
}
