package io.pipekit.core;

import java.util.Objects;

/**
 * The name of a local named pipe: {@code mynamedpipe} is the pipe {@code \\.\pipe\mynamedpipe}.
 *
 * <p>Either form is accepted by {@link #of}; both give the same {@code PipeName}. A name is
 * validated once, here, so that every later error is about the pipe, not its spelling:
 * it must not be empty, must contain no backslash and no control character, and the full
 * path may be at most {@value #MAX_PATH_LENGTH} characters, as Windows requires. Pipes on
 * other machines ({@code \\server\pipe\...}) are refused: pipekit serves and connects
 * locally only.
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
            if (c == '\\') {
                throw new IllegalArgumentException("a pipe name must not contain a backslash: " + nameOrPath);
            }
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("a pipe name must not contain control characters (found U+"
                        + String.format("%04X", (int) c) + " at index " + i + ")");
            }
        }
        if (LOCAL_PREFIX.length() + name.length() > MAX_PATH_LENGTH) {
            throw new IllegalArgumentException("a pipe path may be at most " + MAX_PATH_LENGTH + " characters; \\\\.\\pipe\\"
                    + name.substring(0, 16) + "... has " + (LOCAL_PREFIX.length() + name.length()));
        }
        return new PipeName(name);
    }

    /** The bare name, such as {@code mynamedpipe}. */
    public String name() {
        return name;
    }

    /** The full Windows path, such as {@code \\.\pipe\mynamedpipe}. */
    public String path() {
        return LOCAL_PREFIX + name;
    }

    @Override
    public boolean equals(Object o) {
        // Windows compares pipe names without regard to case; equals and hashCode fold alike.
        return o instanceof PipeName other && folded().equals(other.folded());
    }

    @Override
    public int hashCode() {
        return folded().hashCode();
    }

    private String folded() {
        return name.toUpperCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return path();
    }
}
