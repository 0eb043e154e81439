package io.pipekit.core.windows;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.ptr.PointerByReference;
import io.pipekit.core.PipeException;

/**
 * The {@code SECURITY_ATTRIBUTES} a server creates its pipe instances with, built from an
 * SDDL string and kept in native memory for the server's whole life, since every instance
 * is created with it.
 *
 * <p>pipekit's default, {@link #currentUserOnly()}, grants full control to the current user
 * and to SYSTEM and nothing to anyone else. "Full control" ({@code FA}) matters: it includes
 * {@code FILE_CREATE_PIPE_INSTANCE}, without which the server could not create its own
 * further instances.
 */
public final class PipeSecurity {
    private static final int ATTRIBUTES_SIZE = 24; // nLength, lpSecurityDescriptor, bInheritHandle (64-bit)

    private final String sddl;
    private Pointer descriptor;
    private Memory attributes;

    private PipeSecurity(String sddl, Pointer descriptor) {
        this.sddl = sddl;
        this.descriptor = descriptor;
        this.attributes = new Memory(ATTRIBUTES_SIZE);
        NativeAllocations.allocated();
        attributes.clear();
        attributes.setInt(0, ATTRIBUTES_SIZE);
        attributes.setPointer(8, descriptor);
    }

    /** The SDDL of pipekit's default: full control for the current user and SYSTEM, nobody else. */
    public static String currentUserOnlySddl() throws PipeException {
        return "D:P(A;;FA;;;" + Tokens.currentUserSid() + ")(A;;FA;;;SY)";
    }

    /** pipekit's default descriptor; see {@link #currentUserOnlySddl()}. */
    public static PipeSecurity currentUserOnly() throws PipeException {
        return fromSddl(currentUserOnlySddl());
    }

    /** A descriptor from SDDL, such as {@code D:P(A;;FA;;;WD)}; a clear error if it is not valid SDDL. */
    public static PipeSecurity fromSddl(String sddl) throws PipeException {
        PointerByReference descriptor = new PointerByReference();
        if (!Advapi32Ex.INSTANCE.ConvertStringSecurityDescriptorToSecurityDescriptor(sddl, Advapi32Ex.SDDL_REVISION_1,
                descriptor, null)) {
            throw Win32.exception("ConvertStringSecurityDescriptorToSecurityDescriptor \"" + sddl + "\"",
                    Native.getLastError(), "not a valid SDDL security descriptor");
        }
        return new PipeSecurity(sddl, descriptor.getValue());
    }

    /** The SDDL this descriptor was made from. */
    public String sddl() {
        return sddl;
    }

    /** The {@code SECURITY_ATTRIBUTES} pointer for {@code CreateNamedPipe}. */
    public Pointer attributes() {
        return attributes;
    }

    /** Frees the descriptor and the attributes; idempotent. */
    public void free() {
        if (descriptor != null) {
            Kernel32.INSTANCE.LocalFree(descriptor);
            descriptor = null;
            attributes.close();
            attributes = null;
            NativeAllocations.freed();
        }
    }
}
