package io.pipekit.server;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.ptr.PointerByReference;
import io.pipekit.core.windows.Advapi32Ex;

/**
 * Compares security descriptors as descriptors, not as the strings they were written with.
 *
 * <p>The same DACL has many SDDL spellings: Windows writes some SIDs back as aliases
 * ({@code SY} for SYSTEM, {@code LA} for the machine's built-in Administrator, RID 500), so
 * {@code (A;;FA;;;S-1-5-21-…-500)} comes back as {@code (A;;FA;;;LA)}. Passing both sides
 * through the same conversion, SDDL to descriptor and back, gives one spelling per descriptor.
 */
final class CanonicalSddl {
    private CanonicalSddl() {
    }

    /** The DACL of a security descriptor in native memory, written as SDDL by Windows. */
    static String daclOf(Pointer descriptor) {
        PointerByReference text = new PointerByReference();
        if (!Advapi32Ex.INSTANCE.ConvertSecurityDescriptorToStringSecurityDescriptor(descriptor,
                Advapi32Ex.SDDL_REVISION_1, Advapi32Ex.DACL_SECURITY_INFORMATION, text, null)) {
            throw new AssertionError("ConvertSecurityDescriptorToStringSecurityDescriptor failed with " + Native.getLastError());
        }
        Pointer written = text.getValue();
        try {
            return written.getWideString(0);
        } finally {
            Kernel32.INSTANCE.LocalFree(written);
        }
    }

    /** The DACL of {@code sddl} as Windows itself writes it. */
    static String ofDacl(String sddl) {
        PointerByReference descriptor = new PointerByReference();
        if (!Advapi32Ex.INSTANCE.ConvertStringSecurityDescriptorToSecurityDescriptor(sddl, Advapi32Ex.SDDL_REVISION_1, descriptor, null)) {
            throw new AssertionError("not valid SDDL (error " + Native.getLastError() + "): " + sddl);
        }
        try {
            return daclOf(descriptor.getValue());
        } finally {
            Kernel32.INSTANCE.LocalFree(descriptor.getValue());
        }
    }
}
