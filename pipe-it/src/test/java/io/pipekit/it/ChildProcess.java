package io.pipekit.it;

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
 * A peer program run as a child process that the test owns: one of the C peers
 * ({@code sample-server.exe}, {@code sample-client.exe}), the Go peer ({@code go-peer.exe}, in the
 * same folder) or one of pipekit's runnable jars.
 *
 * <p>Its output (stdout and stderr together) is collected line by line so that a test can
 * wait for a line, such as the server's {@code listening on ...}. {@link #close()} stops the
 * process through its own handle, never by name, and waits until it is gone.
 */
public final class ChildProcess implements AutoCloseable {
    /** System property naming the folder that holds the C peers' executables. */
    static final String PEERS_DIR_PROPERTY = "pipekit.cpeers.dir";
    /** System property naming the folder that holds pipe-server.jar and pipe-client.jar. */
    static final String JARS_DIR_PROPERTY = "pipekit.jars.dir";

    private final String name;
    private final Process process;
    private final Thread reader;
    private final List<String> lines = new ArrayList<>();

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        reader = new Thread(this::collectOutput, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the peer {@code executable} of the peers' folder (a C peer such as {@code sample-server.exe},
     * or {@code go-peer.exe}) with {@code args}.
     */
    public static ChildProcess cPeer(String executable, String... args) {
        List<String> command = new ArrayList<>();
        command.add(file(PEERS_DIR_PROPERTY, executable).toString());
        command.addAll(List.of(args));
        return start(executable, command);
    }

    /**
     * Starts {@code java -jar <jar>} (such as {@code pipe-server.jar}) with {@code args}, on this
     * JVM's java, as a user would, plus only the JVM options that the test environment itself
     * needs (system property {@code pipekit.childJvmOptions}: the Wine test bed sets them for JDKs
     * that need a workaround in its container, and nothing else does).
     */
    public static ChildProcess jar(String jar, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String environmentOptions = System.getProperty("pipekit.childJvmOptions", "").strip();
        if (!environmentOptions.isEmpty()) {
            command.addAll(List.of(environmentOptions.split("\\s+")));
        }
        command.add("-jar");
        command.add(file(JARS_DIR_PROPERTY, jar).toString());
        command.addAll(List.of(args));
        return start(jar, command);
    }

    /**
     * Starts {@code mainClass} of this JVM's own class path in a JVM of its own (such as a chaos
     * test's misbehaving client), with {@code args}, and the environment's JVM options as
     * {@link #jar} does.
     */
    public static ChildProcess javaMain(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String environmentOptions = System.getProperty("pipekit.childJvmOptions", "").strip();
        if (!environmentOptions.isEmpty()) {
            command.addAll(List.of(environmentOptions.split("\\s+")));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return start(mainClass.getSimpleName(), command);
    }

    /**
     * Starts this JVM's {@code java} with {@code arguments} (a module path and a module to run,
     * say), plus the environment's JVM options as {@link #jar} does.
     */
    public static ChildProcess java(String name, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String environmentOptions = System.getProperty("pipekit.childJvmOptions", "").strip();
        if (!environmentOptions.isEmpty()) {
            command.addAll(List.of(environmentOptions.split("\\s+")));
        }
        command.addAll(arguments);
        return start(name, command);
    }

    /** Whether the child is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /**
     * Kills the child at once (on Windows {@code TerminateProcess}), through its own handle, and
     * waits until it is gone: a test's way to make a peer vanish mid-operation.
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Starts {@code python3 <script> args}, the script given by the system property {@code pipekit.python.client}. */
    public static ChildProcess pythonClient(String... args) {
        String script = System.getProperty("pipekit.python.client");
        if (script == null) {
            throw new IllegalStateException("system property pipekit.python.client is not set (pipe-it's pom sets it)");
        }
        List<String> command = new ArrayList<>(List.of("python3", script));
        command.addAll(List.of(args));
        return start("pipekit_client.py", command);
    }

    private static ChildProcess start(String name, List<String> command) {
        try {
            return new ChildProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    private static Path file(String dirProperty, String fileName) {
        String dir = System.getProperty(dirProperty);
        if (dir == null) {
            throw new IllegalStateException("system property " + dirProperty + " is not set (pipe-it's pom sets it)");
        }
        Path file = Path.of(dir, fileName);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " does not exist: pipe-it's build puts it there (under Wine, the test bed image)");
        }
        return file;
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
    public String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
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

    /**
     * Waits for the peer to exit by itself and returns its exit code, once what it printed has
     * been read too: the process can be gone while its last lines are still in the pipe. The wait
     * for the end of its output is bounded, because under Wine a helper process the peer started
     * may hold the pipe open after the peer is gone.
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + "; it printed: " + output());
        }
        reader.join(Duration.ofSeconds(5).toMillis());
        return process.exitValue();
    }

    /** Writes {@code text} to the peer's standard input, then closes it: the peer reads to its end. */
    public void inputThenEnd(String text) throws IOException {
        try (var in = process.getOutputStream()) {
            in.write(text.getBytes(UTF_8));
        }
    }

    /** Everything the peer has printed so far. */
    public List<String> output() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * The lines the JVM itself printed as warnings ({@code WARNING: ...}), such as JDK 22+'s
     * "A restricted method in java.lang.System has been called" when a jar lacks native access.
     */
    public List<String> jvmWarnings() {
        return output().stream().filter(line -> line.startsWith("WARNING:")).toList();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
