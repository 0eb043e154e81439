package io.pipekit.core;

import java.util.Locale;
import java.util.Objects;

/**
 * The name of a local named pipe: {@code mynamedpipe} is the pipe {@code \\.\pipe\mynamedpipe}.
 *
 * <p>Either form is accepted by {@link #of}; both give the same {@code PipeName}. A name is
 * validated once, here, so that every later error is about the pipe, not its spelling:
 * it must not be empty, must contain no control character, and the full path may be at most
 * {@value #MAX_PATH_LENGTH} characters, as Windows requires. Pipes on other machines
 * ({@code \\server\pipe\...}) are refused: pipekit serves and connects locally only.
 *
 * <p>A name may hold backslashes ({@code sql\query}, the pipe {@code \\.\pipe\sql\query}):
 * Windows takes them as part of the pipe's name, and SQL Server, LocalDB and others name their
 * pipes so, although {@code CreateNamedPipe}'s documentation says a name holds none. Each part
 * between two backslashes (or slashes) must be a real name, though: not empty, not {@code .} or
 * {@code ..}. Windows rewrites a path with such parts before it opens anything, so that
 * {@code \\.\pipe\..\x} would leave the pipes for another device; they are refused. On Unix a
 * pipe name is one file in pipekit's socket directory, backslashes and all.
 *
 * <p>Two names are the same pipe when they differ only in case, as Windows has it, on every
 * transport: the Unix transport names a pipe's socket by its {@link #canonical()} form. An
 * absolute socket path ({@code /run/app/control.sock}, Unix only) is a file name, and compares
 * exactly.
 */
public final class PipeName {
    /** The longest full pipe path Windows accepts, {@code \\.\pipe\} included. */
    public static final int MAX_PATH_LENGTH = 256;
    private static final String LOCAL_PREFIX = "\\\\.\\pipe\\";

    private final String name;

    private PipeName(String name) {
        this.name = name;
    }

    /**
     * Parses a pipe name, given bare ({@code mynamedpipe}) or as a local path
     * ({@code \\.\pipe\mynamedpipe}, case-insensitive prefix).
     *
     * @throws IllegalArgumentException saying what is wrong with the name
     */
    public static PipeName of(String nameOrPath) {
        Objects.requireNonNull(nameOrPath, "pipe name");
        String name = nameOrPath;
        if (name.regionMatches(true, 0, LOCAL_PREFIX, 0, LOCAL_PREFIX.length())) {
            name = name.substring(LOCAL_PREFIX.length());
        } else if (name.startsWith("\\\\")) {
            throw new IllegalArgumentException("not a local pipe: " + nameOrPath + " (pipekit only uses pipes on this machine, \\\\.\\pipe\\...)");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a pipe name must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("a pipe name must not contain control characters (found U+"
                        + String.format("%04X", (int) c) + " at index " + i + ")");
            }
        }
        if (!name.startsWith("/")) {
            checkParts(name, nameOrPath);
        }
        if (LOCAL_PREFIX.length() + name.length() > MAX_PATH_LENGTH) {
            throw new IllegalArgumentException("a pipe path may be at most " + MAX_PATH_LENGTH + " characters; \\\\.\\pipe\\"
                    + name.substring(0, 16) + "... has " + (LOCAL_PREFIX.length() + name.length()));
        }
        return new PipeName(name);
    }

    /** Refuses the parts of a pipe name that Windows would rewrite, as the class comment says. */
    private static void checkParts(String name, String nameOrPath) {
        for (String part : name.split("[\\\\/]", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("a pipe name's parts between backslashes (or slashes) must not be empty, '.' or '..': "
                        + nameOrPath);
            }
        }
    }

    /** The bare name, such as {@code mynamedpipe}. */
    public String name() {
        return name;
    }

    /** The full Windows path, such as {@code \\.\pipe\mynamedpipe}. */
    public String path() {
        return LOCAL_PREFIX + name;
    }

    /**
     * Whether this is an absolute Unix socket path ({@code /run/app/control.sock}) rather than a
     * pipe name: a path the Unix transport uses as it is, and compares as it is.
     */
    public boolean isSocketPath() {
        return name.startsWith("/");
    }

    /**
     * The name as pipes compare it: a pipe name in one case (Windows compares pipe names without
     * regard to case, and the Unix transport names a pipe's socket file by this form, so that a
     * name means the same pipe on both); a socket path exactly as given, since Unix file names are
     * case-sensitive.
     */
    public String canonical() {
        return isSocketPath() ? name : name.toLowerCase(Locale.ROOT);
    }

    /** Whether both name the same pipe: pipe names compare without regard to case, socket paths exactly. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PipeName other && canonical().equals(other.canonical());
    }

    @Override
    public int hashCode() {
        return canonical().hashCode();
    }

    /**
     * The pipe as messages show it: the full path ({@code \\.\pipe\mynamedpipe}) for a pipe
     * name; an absolute socket path as it is, since the Windows prefix would name no socket.
     */
    @Override
    public String toString() {
        return isSocketPath() ? name : path();
    }
}
