package io.pipekit.core.unix;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.nio.channels.SocketChannel;

/**
 * What a Unix stream socket's end of stream means: {@code read} returns it both when the peer
 * half-closed ({@code shutdown(SHUT_WR)}, and it still reads) and when it closed and is gone.
 * Only {@code poll} tells them apart, on Linux: a peer gone (its socket closed) leaves this one
 * shut both ways, {@code POLLHUP}; a half-close shuts only its reading, {@code POLLRDHUP} without
 * {@code POLLHUP}.
 *
 * <p>Where that cannot be asked (macOS, whose {@code poll} reports a half-close as a hang-up
 * too, or a JVM that does not let pipekit read the socket's descriptor: see
 * {@link PeerCredentials}), the answer is that the peer is gone: a server that keeps a gone
 * client's connection holds its descriptor and its instance slot for as long as its handler
 * runs, while taking a half-close for a close only ends that client's conversation early, as
 * before pipekit knew half-closes.
 */
public final class PeerShutdown {
    private static final short POLLIN = 0x1;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    private static final short POLLRDHUP_LINUX = 0x2000;
    private static final int POLLFD_BYTES = 8; // struct pollfd { int fd; short events; short revents; }

    private PeerShutdown() {
    }

    /**
     * After {@code channel}'s read returned the end of the stream: whether the peer only
     * half-closed and may still read ({@code false} if it is gone, or if that cannot be told).
     */
    public static boolean onlyHalfClosed(SocketChannel channel) {
        int fd = Descriptors.of(channel);
        if (fd < 0 || !Platform.isLinux()) {
            return false;
        }
        int revents = poll(fd, (short) (POLLIN | POLLRDHUP_LINUX));
        return revents >= 0 && (revents & POLLRDHUP_LINUX) != 0 && (revents & POLLHUP) == 0;
    }

    /**
     * Whether a connection whose peer half-closed ({@link #onlyHalfClosed} said so) is now shut
     * both ways: the peer closed too, and is gone. Asked without blocking, as often as a server
     * watches such a connection. {@code false} where it cannot be told (the connection was then
     * never taken for half-closed).
     *
     * <p>{@code POLLHUP} means the socket is shut both ways, whichever side shut it: after this
     * side's own {@code shutdownOutput} it is set while the peer may still be reading. Nothing
     * more can pass in either direction then, and what was written is in the peer's receive
     * queue already, so ending the connection loses it nothing.
     */
    public static boolean gone(SocketChannel channel) {
        int fd = Descriptors.of(channel);
        if (fd < 0 || !Platform.isLinux()) {
            return false;
        }
        int revents = poll(fd, (short) (POLLIN | POLLRDHUP_LINUX));
        return revents >= 0 && (revents & (POLLHUP | POLLERR)) != 0;
    }

    /** The events {@code poll} reports at once for {@code fd}, or -1 if it fails. */
    private static int poll(int fd, short events) {
        Memory pollfd = new Memory(POLLFD_BYTES);
        pollfd.setInt(0, fd);
        pollfd.setShort(4, events);
        pollfd.setShort(6, (short) 0);
        int ready = LibC.INSTANCE.poll(pollfd, new NativeLong(1), 0);
        return ready < 0 ? -1 : pollfd.getShort(6) & 0xffff;
    }
}
