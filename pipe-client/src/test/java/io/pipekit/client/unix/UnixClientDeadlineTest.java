package io.pipekit.client.unix;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeName;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.core.ReadMode;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.transport.ClientConfig;
import io.pipekit.core.unix.SocketPaths;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A receive's deadline read off a clock the test drives: the moments between two readings of the
 * clock, where a deadline may pass, are made to happen on every run. The server end is a plain
 * socket that accepts and never writes.
 */
@DisabledOnOs(OS.WINDOWS)
class UnixClientDeadlineTest {
    private static final long MILLI = 1_000_000;
    private final PipeName name = PipeName.of("pipekit-deadline-" + UUID.randomUUID());
    private ServerSocketChannel server;
    private SocketChannel accepted;
    private UnixClientConnection client;
    private Path path;

    @BeforeEach
    void serverThatNeverWrites() throws Exception {
        path = SocketPaths.forName(name);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        client = UnixClientConnection.connect(new ClientConfig(name, Duration.ofSeconds(5), false, false, 1 << 20,
                ReadMode.MESSAGE, ServerTrust.currentUserOrSystem()));
        accepted = server.accept();
    }

    @AfterEach
    void closeAll() throws Exception {
        client.close();
        accepted.close();
        server.close();
        Files.deleteIfExists(path);
    }

    /**
     * Defect 4: the deadline passes between two readings of the clock in one wait step. A wait of
     * "0 ms" there is a wait without limit to a selector: the receive never ends.
     */
    @Test
    void deadlineThatPassesBetweenTwoReadingsOfTheClockEndsTheReceive() {
        // Each reading moves the clock on by 0.6 ms: the start, then 0.6 ms (not passed),
        // then 1.2 ms (passed) for a 1 ms timeout.
        AtomicInteger readings = new AtomicInteger();
        client.clock = () -> readings.getAndIncrement() * 600_000L;

        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(PipeTimeoutException.class, () -> client.receive(1)),
                "the receive waited without limit once its deadline had passed");
    }

    /** Lesser defect: {@code timeoutMillis * 1e6} overflowed, and {@code receive} of 365,000 days timed out at once. */
    @Test
    void aTimeoutTooLongForNanosecondsNeverPassesAtOnce() {
        // 365,000 days in milliseconds, times a million, overflows a long.
        long timeoutMillis = Duration.ofDays(365_000).toMillis();
        var closer = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            client.close();
        });
        closer.start();
        // Ends with the close, not with an instant timeout.
        assertThrows(PipeClosedException.class, () -> client.receive(timeoutMillis));
    }
}
