package io.pipekit.client.cli;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeClosedException;
import io.pipekit.core.ReadMode;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipe-client relay}: copies standard input to the pipe and the pipe to standard
 * output, in byte mode, as {@code npiperelay} and {@code socat} do. When standard input ends it
 * waits up to {@code --linger} for the rest of the pipe's output, then exits 0; when the server
 * closes the pipe it exits 0 once everything read is written out.
 */
@Command(name = "relay", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Copies stdin to the pipe and the pipe to stdout, in byte mode.")
final class RelayCommand implements Callable<Integer> {
    private static final int CHUNK = 64 * 1024;

    @ParentCommand
    ClientCommand parent;

    @Option(names = "--linger", defaultValue = "500ms", paramLabel = "TIME", converter = ClientCommand.DurationConverter.class,
            description = "After stdin ends, how long to wait for the rest of the pipe's output, as socat -t (default: ${DEFAULT-VALUE}).")
    Duration linger;

    @Override
    public Integer call() throws Exception {
        try (PipeClient client = PipeClient.builder(parent.name).readMode(ReadMode.BYTE).connectTimeout(parent.timeout).connect()) {
            // A thread of its own for each direction: both block, so neither may wait in a shared pool.
            CompletableFuture<Void> pipeToStdout = copying("pipe to stdout", client.inputStream(), System.out, client);
            CompletableFuture<Void> stdinToPipe = copying("stdin to pipe", System.in, client.outputStream(), client);
            // Whichever ends first: the pipe (the server closed it, or it broke), or stdin.
            CompletableFuture.anyOf(pipeToStdout, stdinToPipe).join();
            if (!pipeToStdout.isDone()) {
                try {
                    pipeToStdout.get(linger.toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException lingerOver) {
                    client.close(); // ends the read still waiting for more
                }
            }
            rethrowFailure(pipeToStdout);
            if (stdinToPipe.isDone()) {
                rethrowFailure(stdinToPipe);
            }
        }
        return 0;
    }

    private static CompletableFuture<Void> copying(String what, InputStream from, OutputStream to, PipeClient client) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                copy(from, to, client);
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, "pipe-client relay: " + what);
        thread.setDaemon(true); // stdin may never end: the relay exits without waiting for it
        thread.start();
        return done;
    }

    /** Copies until {@code from} ends; this side's own close (after the linger) is a normal end. */
    private static void copy(InputStream from, OutputStream to, PipeClient client) {
        byte[] buffer = new byte[CHUNK];
        try {
            for (int n; (n = from.read(buffer, 0, buffer.length)) >= 0; ) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (PipeClosedException closedHere) {
            // the linger ran out, or the other direction closed the client
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void rethrowFailure(CompletableFuture<Void> copy) throws Exception {
        try {
            copy.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
    }
}
