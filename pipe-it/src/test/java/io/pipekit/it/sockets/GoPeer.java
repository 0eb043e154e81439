package io.pipekit.it.sockets;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.pipekit.it.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The Go peer ({@code go-peer.exe}, from pipe-it/src/test/go): a server nobody on pipekit wrote,
 * listening through go-winio's {@code ListenPipe} as the Docker engine does on Windows, and serving
 * Go's {@code net/http} or grpc-go's interop {@code TestService}. One process per test, on a pipe
 * name of its own, stopped through its own process handle.
 *
 * <p>It says it is ready by writing two lines to a file once the pipe exists: where it listens,
 * and what became of go-winio's placeholder first instance, which under Wine takes the first
 * client and never serves it, so the peer claims it itself (main.go, docs/testbed.md). The test
 * bed image and the Windows build put the executable beside the C peers.
 */
final class GoPeer implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(60);

    final String pipeName;
    private final ChildProcess process;
    /** The second ready line: {@code first instance: refused a client (...)} or {@code first instance: took a client, ...}. */
    String firstInstance;

    private GoPeer(String pipeName, ChildProcess process) {
        this.pipeName = pipeName;
        this.process = process;
    }

    /** Go's net/http server on a new pipe; see main.go for its endpoints. */
    static GoPeer http(Path dir) throws Exception {
        return start("http", dir);
    }

    /** grpc-go serving the gRPC interop TestService on a new pipe. */
    static GoPeer grpc(Path dir) throws Exception {
        return start("grpc", dir);
    }

    /**
     * grpc-go's client ({@code -mode grpc-client}) calling the TestService on {@code pipeName}
     * through go-winio's {@code DialPipeContext}, running grpc-go's interop cases one after
     * another; it appends {@code passed CASE} to {@code results} after each and exits by itself
     * (0 once all passed). The caller owns the process: it waits for the exit, or closes it.
     */
    static ChildProcess grpcClient(String pipeName, Path results) {
        return ChildProcess.cPeer("go-peer.exe", "-mode", "grpc-client", "-pipe", pipeName, "-ready", results.toString());
    }

    private static GoPeer start(String mode, Path dir) throws Exception {
        String name = "pipekit-go-" + mode + "-" + UUID.randomUUID();
        Path ready = dir.resolve("go-peer-ready.txt");
        ChildProcess process = ChildProcess.cPeer("go-peer.exe", "-mode", mode, "-pipe", name, "-ready", ready.toString());
        GoPeer peer = new GoPeer(name, process);
        try {
            peer.awaitReady(ready);
            return peer;
        } catch (Throwable e) {
            process.close();
            throw e;
        }
    }

    /** Waits for the ready line, or fails at once if the peer exited instead. */
    private void awaitReady(Path ready) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        while (!Files.exists(ready)) {
            if (!process.isAlive()) {
                throw new AssertionError("go-peer.exe exited before it listened; it printed: " + process.output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("go-peer.exe did not listen within " + START + "; it printed: " + process.output());
            }
            Thread.sleep(20);
        }
        List<String> lines = Files.readAllLines(ready, UTF_8);
        if (lines.size() != 2 || !lines.get(0).startsWith("listening on \\\\.\\pipe\\" + pipeName + " ")) {
            throw new AssertionError("go-peer.exe wrote unexpected ready lines: " + lines);
        }
        firstInstance = lines.get(1);
    }

    /** What the peer printed so far (one line per connection state change in http mode): for failure messages. */
    String output() {
        return String.join("\n", process.output());
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
