package io.pipekit.core.unix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The few libc functions the Unix transport calls that the JDK does not offer: a socket peer's
 * process id and ids ({@code getsockopt}), users' and groups' ids by name, and {@code flock} on a
 * socket's lock file ({@link SocketLock}), and {@code poll} for what a socket's end
 * of stream means ({@link PeerShutdown}). Linux and macOS lay out the {@code passwd} and
 * {@code group} fields read here alike.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int SOL_SOCKET_LINUX = 1;
    /** {@code SO_PEERCRED}: 17, but 21 on the POWER architecture. Gives {@code struct ucred { pid_t pid; uid_t uid; gid_t gid; }}. */
    int SO_PEERCRED_LINUX = com.sun.jna.Platform.isPPC() ? 21 : 17;
    int SOL_LOCAL_MACOS = 0;
    int LOCAL_PEERPID_MACOS = 2; // pid_t

    /** Offsets of {@code pw_uid} in {@code struct passwd} and {@code gr_gid} in {@code struct group}: after two pointers. */
    int STRUCT_ROOM = 256; // larger than struct passwd and struct group on every platform pipekit runs on
    int STRINGS_ROOM = 16384; // the strings the entry points to
    int PW_UID_OFFSET = 2 * Native.POINTER_SIZE;
    int GR_GID_OFFSET = 2 * Native.POINTER_SIZE;

    int LOCK_SH = 1;
    int LOCK_EX = 2;
    int LOCK_NB = 4;
    int LOCK_UN = 8;
    int O_RDONLY = 0;
    int O_RDWR = 2;
    /** {@code open} flags differ between macOS and Linux, and on Linux between architectures. */
    int O_CREAT = com.sun.jna.Platform.isMac() ? 0x200 : 0100;
    int O_NOFOLLOW = com.sun.jna.Platform.isMac() ? 0x100
            : com.sun.jna.Platform.isARM() || com.sun.jna.Platform.isPPC() ? 0100000 : 0400000;
    int O_CLOEXEC = com.sun.jna.Platform.isMac() ? 0x1000000 : 02000000;
    int ENOENT = 2;
    int EWOULDBLOCK = com.sun.jna.Platform.isMac() ? 35 : 11;

    /** {@code open(2)}; variadic in C, so the mode goes as a vararg (Apple silicon passes those on the stack). */
    int open(String path, int flags, Object... mode) throws LastErrorException;

    int flock(int fd, int operation) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    int getsockopt(int fd, int level, int option, Pointer value, IntByReference length);

    /** {@code poll(2)} on Linux, where {@code nfds_t} is an {@code unsigned long} ({@link PeerShutdown}). */
    int poll(Pointer fds, NativeLong nfds, int timeout);

    int geteuid();

    int getegid();

    /** The reentrant forms: the loop thread and client threads may look names up at once. */
    int getpwnam_r(String name, Pointer passwd, Pointer buffer, NativeLong bufferSize, PointerByReference result);

    int getpwuid_r(int uid, Pointer passwd, Pointer buffer, NativeLong bufferSize, PointerByReference result);

    int getgrnam_r(String name, Pointer group, Pointer buffer, NativeLong bufferSize, PointerByReference result);
}
