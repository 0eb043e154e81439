package io.pipekit.it.sockets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.pipekit.core.Transport;
import io.pipekit.testing.WindowsOnly;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link PipeSocketSpec} on Windows named pipes: natively on Windows, under Wine from Linux. */
@WindowsOnly
class WindowsPipeSocketTest extends PipeSocketSpec {
    @Override
    Transport transport() {
        return Transport.WINDOWS_NAMED_PIPES;
    }

    /**
     * A named pipe has no half-close: shutdownOutput stops this socket's writes, the server is
     * told nothing (it still waits for more), and the connection goes on both ways otherwise.
     */
    @Test
    void shutdownOutputTellsTheServerNothingAndReadingGoesOn() throws Exception {
        CompletableFuture<String> after = new CompletableFuture<>();
        byteServer((connection, in, out) -> {
            out.write(readFully(in, 5));
            out.flush();
            int next = in.read(); // returns only when the client closes
            after.complete(next < 0 ? "end" : "byte " + next);
        });
        Socket socket = connect();
        socket.getOutputStream().write("hello".getBytes(UTF_8));
        socket.shutdownOutput();
        assertEquals("hello", new String(readFully(socket.getInputStream(), 5), UTF_8));
        assertFalse(after.isDone(), () -> "the server saw " + after.getNow(null));
        socket.close();
        assertEquals("end", after.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
    }
}
