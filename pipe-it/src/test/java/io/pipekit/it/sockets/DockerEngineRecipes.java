package io.pipekit.it.sockets;

import io.pipekit.client.PipeAddress;
import io.pipekit.client.PipeSocketFactory;
import java.io.IOException;
import javax.net.SocketFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.util.TimeValue;

/** The recipes of docs/sockets.md, as code that {@link DockerEngineHttpTest} runs against the real engine. */
final class DockerEngineRecipes {
    private DockerEngineRecipes() {
    }

    /** The engine's address: DOCKER_HOST, or Docker's default for this system. */
    static SocketFactory dockerSockets() {
        SocketFactory docker = PipeSocketFactory.of(PipeAddress.dockerHost());
        return docker;
    }

    /**
     * Apache HttpClient 5 classic, pooling its connections to the pipe, and checking a pooled
     * connection idle for {@code checkIdleAfter} with its stale check (a 1 ms read) before reuse.
     */
    static CloseableHttpClient httpClient(SocketFactory sockets, TimeValue checkIdleAfter) {
        PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager(
                new DefaultHttpClientConnectionOperator(proxy -> sockets.createSocket(), null, null,
                        RegistryBuilder.<TlsSocketStrategy>create().build()),
                PoolConcurrencyPolicy.STRICT, PoolReusePolicy.LIFO, TimeValue.NEG_ONE_MILLISECOND, null);
        connections.setDefaultConnectionConfig(ConnectionConfig.custom().setValidateAfterInactivity(checkIdleAfter).build());
        CloseableHttpClient http = HttpClients.custom().setConnectionManager(connections).build();
        return http;
    }

    static String getWithHttpClient(CloseableHttpClient http, String path) throws IOException {
        return http.execute(new HttpGet("http://localhost" + path), response -> {
            if (response.getCode() != 200) {
                throw new IOException(path + ": HTTP " + response.getCode());
            }
            return EntityUtils.toString(response.getEntity());
        });
    }

    /** OkHttp, through its socketFactory. */
    static OkHttpClient okHttp(SocketFactory sockets) {
        OkHttpClient http = new OkHttpClient.Builder()
                .socketFactory(sockets)
                .fastFallback(false) // every route is the one pipe: no second connection raced to another address
                .build();
        return http;
    }

    static String getWithOkHttp(OkHttpClient http, String path) throws IOException {
        try (Response response = http.newCall(new Request.Builder().url("http://localhost" + path).build()).execute()) {
            if (response.code() != 200) {
                throw new IOException(path + ": HTTP " + response.code());
            }
            return response.body().string();
        }
    }
}
