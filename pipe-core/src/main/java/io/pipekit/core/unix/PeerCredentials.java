package io.pipekit.core.unix;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.NativeLong;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.transport.ResolvedServerTrust;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.OptionalLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Who is at the other end of a connected Unix domain socket, as the kernel recorded it when the
 * peer connected (or, for a client, when the server listened).
 *
 * <p>The JDK's {@code SO_PEERCRED} option gives the user and group names. The process id, and
 * the ids as numbers, need {@code getsockopt} on the descriptor, which the JDK does not expose:
 * pipekit reads it through {@code sun.nio.ch}, which works when the JVM exports that package
 * ({@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}; pipekit's runnable jars say so in
 * their manifests). Without it the ids come from the names, and the process id is unknown.
 */
public final class PeerCredentials {
    private PeerCredentials() {
    }

    /** The peer of {@code channel}, a connected Unix domain socket. */
    public static PeerIdentity of(SocketChannel channel) throws IOException {
        UnixDomainPrincipal principal = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        String user = principal.user().getName();
        int fd = Descriptors.of(channel);
        if (fd >= 0 && Platform.isLinux()) {
            Memory ucred = new Memory(12);
            IntByReference length = new IntByReference(12);
            if (LibC.INSTANCE.getsockopt(fd, LibC.SOL_SOCKET_LINUX, LibC.SO_PEERCRED_LINUX, ucred, length) == 0) {
                return identity(Integer.toUnsignedLong(ucred.getInt(0)), Integer.toUnsignedLong(ucred.getInt(4)),
                        Integer.toUnsignedLong(ucred.getInt(8)), user);
            }
        }
        long pid = -1;
        if (fd >= 0 && Platform.isMac()) {
            Memory value = new Memory(4);
            IntByReference length = new IntByReference(4);
            if (LibC.INSTANCE.getsockopt(fd, LibC.SOL_LOCAL_MACOS, LibC.LOCAL_PEERPID_MACOS, value, length) == 0) {
                pid = Integer.toUnsignedLong(value.getInt(0));
            }
        }
        return identity(pid, uidOf(user).orElse(-1), gidOf(principal.group().getName()), user);
    }

    /**
     * A Unix peer's identity from what the OS told, {@code -1} or {@code null} where it would not
     * (left unset); also how {@link PeerIdentity}'s serial form is read back.
     */
    public static PeerIdentity identity(long processId, long uid, long gid, String user) {
        PeerIdentity.UnixBuilder identity = PeerIdentity.unixBuilder();
        if (processId >= 0) {
            identity.processId(processId);
        }
        if (uid >= 0) {
            identity.uid(uid);
        }
        if (gid >= 0) {
            identity.gid(gid);
        }
        if (user != null) {
            identity.user(user);
        }
        return identity.build();
    }

    /**
     * Whether {@code trust} accepts {@code server}, by its uid; a server whose uid is unknown is not
     * accepted. The users the trust names were looked up when the client's builder got it.
     */
    public static boolean trusted(PeerIdentity server, ResolvedServerTrust trust) {
        ServerTrust rule = trust.trust();
        if (rule.acceptsAnyServer()) {
            return true;
        }
        if (server.uid().isEmpty()) {
            return false;
        }
        String uid = Long.toString(server.uid().getAsLong());
        return rule.acceptsCurrentUser() && server.uid().getAsLong() == currentUid() || rule.acceptsSystem() && uid.equals("0")
                || rule.users().stream().anyMatch(user -> trust.account(user).equals(Optional.of(uid)));
    }

    /** {@link #trusted(PeerIdentity, ResolvedServerTrust)}, looking {@code trust}'s users up first. */
    public static boolean trusted(PeerIdentity server, ServerTrust trust) {
        return trusted(server, ResolvedServerTrust.of(trust));
    }

    /**
     * This process as a peer sees it ({@link PeerIdentity#currentProcess()}): its id, its
     * effective uid and gid (what the kernel records for its sockets), and the uid's user name,
     * looked up from the uid ({@code user.name} may be set to anything on the command line).
     */
    public static PeerIdentity currentProcess() {
        long uid = currentUid();
        return identity(ProcessHandle.current().pid(), uid, Integer.toUnsignedLong(LibC.INSTANCE.getegid()), userName(uid));
    }

    /** The login name of {@code uid}, or {@code null} if no account has it. */
    private static String userName(long uid) {
        Memory entry = new Memory(LibC.STRUCT_ROOM);
        PointerByReference found = new PointerByReference();
        int error = LibC.INSTANCE.getpwuid_r((int) uid, entry, new Memory(LibC.STRINGS_ROOM), new NativeLong(LibC.STRINGS_ROOM), found);
        return error != 0 || found.getValue() == null ? null : entry.getPointer(0).getString(0); // pw_name, the first field
    }

    /** This process's effective user id: the one the kernel records for its sockets. */
    public static long currentUid() {
        return Integer.toUnsignedLong(LibC.INSTANCE.geteuid());
    }

    /** The uid of a user given by name, or as a number. */
    public static OptionalLong uidOf(String user) {
        if (user.chars().allMatch(Character::isDigit) && !user.isEmpty()) {
            return OptionalLong.of(Long.parseLong(user)); // the JDK names a uid without an account by its number
        }
        Memory entry = new Memory(LibC.STRUCT_ROOM);
        PointerByReference found = new PointerByReference();
        int error = LibC.INSTANCE.getpwnam_r(user, entry, new Memory(LibC.STRINGS_ROOM), new NativeLong(LibC.STRINGS_ROOM), found);
        return error != 0 || found.getValue() == null ? OptionalLong.empty()
                : OptionalLong.of(Integer.toUnsignedLong(entry.getInt(LibC.PW_UID_OFFSET)));
    }

    private static long gidOf(String group) {
        if (group.chars().allMatch(Character::isDigit) && !group.isEmpty()) {
            return Long.parseLong(group);
        }
        Memory entry = new Memory(LibC.STRUCT_ROOM);
        PointerByReference found = new PointerByReference();
        int error = LibC.INSTANCE.getgrnam_r(group, entry, new Memory(LibC.STRINGS_ROOM), new NativeLong(LibC.STRINGS_ROOM), found);
        return error != 0 || found.getValue() == null ? -1 : Integer.toUnsignedLong(entry.getInt(LibC.GR_GID_OFFSET));
    }
}
