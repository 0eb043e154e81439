package io.pipekit.it.cpeers;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One of the test bed's C peers ({@code sample-server.exe}, {@code sample-client.exe}),
 * run as a child process that the test owns.
 *
 * <p>Its output (stdout and stderr together) is collected line by line so that a test can
 * wait for a line, such as the server's {@code listening on ...}. {@link #close()} stops the
 * process through its own handle, never by name, and waits until it is gone.
 */
final class CPeer implements AutoCloseable {
    /** System property naming the folder that holds the peers' executables. */
    static final String PEERS_DIR_PROPERTY = "pipekit.cpeers.dir";

    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();

    private CPeer(String name, Process process) {
        this.name = name;
        this.process = process;
        Thread reader = new Thread(this::collectOutput, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the named peer executable with the given arguments. */
    static CPeer start(String executable, String... args) {
        Path exe = executable(executable);
        List<String> command = new ArrayList<>();
        command.add(exe.toString());
        command.addAll(List.of(args));
        try {
            return new CPeer(executable, new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + exe, e);
        }
    }

    private static Path executable(String executable) {
        String dir = System.getProperty(PEERS_DIR_PROPERTY);
        if (dir == null) {
            throw new IllegalStateException("system property " + PEERS_DIR_PROPERTY + " is not set: it names the folder of the C peers");
        }
        Path exe = Path.of(dir, executable);
        if (!Files.isRegularFile(exe)) {
            throw new IllegalStateException(exe + " does not exist: on Windows pipe-it builds it with gcc, under Wine the test bed image holds it");
        }
        return exe;
    }

    private void collectOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // The process was stopped while we read: what was read is all there is.
        }
    }

    /** Waits until the peer has printed a line that matches, and returns that line. */
    String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            for (int seen = 0; ; ) {
                for (; seen < lines.size(); seen++) {
                    if (wanted.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + " printed no such line within " + timeout + "; it printed: " + lines);
                }
                TimeUnit.NANOSECONDS.timedWait(lines, left);
            }
        }
    }

    /** Waits for the peer to exit by itself and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + "; it printed: " + output());
        }
        return process.exitValue();
    }

    /** Everything the peer has printed so far. */
    List<String> output() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
