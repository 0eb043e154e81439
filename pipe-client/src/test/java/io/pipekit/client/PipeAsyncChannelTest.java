package io.pipekit.client;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.pipekit.core.PipeName;
import io.pipekit.core.Transport;
import io.pipekit.core.unix.SocketPaths;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The asynchronous channel when {@code close()} comes between choosing an operation's thread and
 * handing it the task: made to happen on every run through the channel's seam. The transport is
 * the Unix one, over a plain server socket: what is tested is the channel, not the pipe.
 */
@DisabledOnOs(OS.WINDOWS)
class PipeAsyncChannelTest {
    private final String name = "pipekit-async-" + UUID.randomUUID();
    private ServerSocketChannel server;
    private SocketChannel accepted;
    private PipeClient client;
    private Path path;

    @BeforeEach
    void connect() throws Exception {
        path = SocketPaths.forName(PipeName.of(name));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connectTimeout(Duration.ofSeconds(5)).connect();
        accepted = server.accept();
    }

    @AfterEach
    void closeAll() throws Exception {
        client.close();
        accepted.close();
        server.close();
        Files.deleteIfExists(path);
    }

    private static CompletionHandler<Integer, Object> into(CompletableFuture<Integer> result) {
        return new CompletionHandler<>() {
            @Override
            public void completed(Integer count, Object attachment) {
                result.complete(count);
            }

            @Override
            public void failed(Throwable failure, Object attachment) {
                result.completeExceptionally(failure);
            }
        };
    }

    /**
     * Lesser defect: the executor, shut down by the close, refused the task; the caller got a
     * RejectedExecutionException and the pending flag stayed set, so every later write threw
     * WritePendingException. The handler must be told instead.
     */
    @Test
    void closeBetweenChoosingTheThreadAndHandingItTheTaskFailsTheHandler() throws Exception {
        PipeAsyncChannel channel = (PipeAsyncChannel) client.asyncChannel();
        channel.write(ByteBuffer.wrap(new byte[] {1})).get(5, TimeUnit.SECONDS); // the write thread exists now
        channel.beforeExecute = client::close;

        CompletableFuture<Integer> write = new CompletableFuture<>();
        channel.write(ByteBuffer.wrap(new byte[] {2}), null, into(write)); // must not throw
        assertFailedWith(AsynchronousCloseException.class, write);

        channel.beforeExecute = () -> { };
        CompletableFuture<Integer> next = new CompletableFuture<>();
        channel.write(ByteBuffer.wrap(new byte[] {3}), null, into(next)); // no WritePendingException: the flag was cleared
        assertFailedWith(AsynchronousCloseException.class, next);
    }

    @Test
    void sameForReads() throws Exception {
        PipeAsyncChannel channel = (PipeAsyncChannel) client.asyncChannel();
        accepted.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 9})); // one frame, one byte
        channel.read(ByteBuffer.allocate(1)).get(5, TimeUnit.SECONDS); // the read thread exists now
        channel.beforeExecute = client::close;

        CompletableFuture<Integer> read = new CompletableFuture<>();
        channel.read(ByteBuffer.allocate(1), null, into(read));
        assertFailedWith(AsynchronousCloseException.class, read);
        channel.beforeExecute = () -> { };
        CompletableFuture<Integer> next = new CompletableFuture<>();
        channel.read(ByteBuffer.allocate(1), null, into(next));
        assertFailedWith(AsynchronousCloseException.class, next);
    }

    private static void assertFailedWith(Class<? extends Throwable> type, CompletableFuture<Integer> result) throws Exception {
        Throwable failure = result.handle((count, t) -> t).get(5, TimeUnit.SECONDS);
        assertInstanceOf(type, failure, "the handler was told, with the channel's own close exception");
    }
}
