package io.pipekit.client.internal;

import java.net.SocketException;
import java.net.SocketOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The TCP options a pipe's {@code Socket} or {@code ServerSocket} accepts, as libraries set them
 * on every socket, and remembers for their getters, though a pipe has none of them: which options
 * are accepted, their values by name and their defaults, each set or read only while the socket is
 * open, with the exceptions the {@code Socket} contract names. Thread-safe.
 */
public final class RememberedOptions {
    private final String owner;
    private final Set<SocketOption<?>> supported;
    private final Set<String> alsoAccepted;
    private final Map<String, Object> values;
    private final BooleanSupplier closed;

    /**
     * @param owner what the options are remembered for, as a refusal names it ("a pipe socket")
     * @param supported the options {@code supportedOptions()} lists
     * @param alsoAccepted the names of options accepted besides, though not listed (jdk.net's, which
     *     the client module does not read)
     * @param defaults each option's value before it is set, by name; an option with none is null
     * @param closed whether the socket is closed
     */
    public RememberedOptions(String owner, Set<SocketOption<?>> supported, Set<String> alsoAccepted, Map<String, Object> defaults,
            BooleanSupplier closed) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.supported = Set.copyOf(supported);
        this.alsoAccepted = Set.copyOf(alsoAccepted);
        this.values = new HashMap<>(defaults);
        this.closed = Objects.requireNonNull(closed, "closed");
    }

    /** The options {@code supportedOptions()} lists. */
    public Set<SocketOption<?>> supported() {
        return supported;
    }

    /**
     * {@code setOption}: remembers {@code value}.
     *
     * @throws SocketException if the socket is closed
     * @throws UnsupportedOperationException for an option not accepted
     * @throws IllegalArgumentException for a null value
     */
    public <T> void set(SocketOption<T> name, T value) throws SocketException {
        Objects.requireNonNull(name, "name");
        checkOpen();
        accepted(name);
        if (value == null) {
            throw new IllegalArgumentException("a value for " + name.name() + " must not be null");
        }
        remember(name.name(), value);
    }

    /**
     * {@code getOption}: what was remembered, or the default.
     *
     * @throws SocketException if the socket is closed
     * @throws UnsupportedOperationException for an option not accepted
     */
    @SuppressWarnings("unchecked")
    public <T> T get(SocketOption<T> name) throws SocketException {
        Objects.requireNonNull(name, "name");
        checkOpen();
        accepted(name);
        return (T) remembered(name.name());
    }

    /**
     * Remembers an option's value, by name, as its setter (such as {@code setTcpNoDelay}) gives it.
     *
     * @throws SocketException if the socket is closed
     */
    public void remember(String option, Object value) throws SocketException {
        checkOpen();
        synchronized (values) {
            values.put(option, value);
        }
    }

    /**
     * A boolean option's value, by name, as its getter (such as {@code getTcpNoDelay}) returns it.
     *
     * @throws SocketException if the socket is closed
     */
    public boolean flag(String option) throws SocketException {
        return (Boolean) remembered(option);
    }

    /**
     * An int option's value, by name, as its getter (such as {@code getSoLinger}) returns it.
     *
     * @throws SocketException if the socket is closed
     */
    public int number(String option) throws SocketException {
        return (Integer) remembered(option);
    }

    private Object remembered(String option) throws SocketException {
        checkOpen();
        synchronized (values) {
            return values.get(option);
        }
    }

    private void checkOpen() throws SocketException {
        if (closed.getAsBoolean()) {
            throw new SocketException("Socket is closed");
        }
    }

    private void accepted(SocketOption<?> name) {
        if (!supported.contains(name) && !alsoAccepted.contains(name.name())) {
            throw new UnsupportedOperationException(owner + " has no option " + name.name());
        }
    }
}
