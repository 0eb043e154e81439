package io.pipekit.server;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.ptr.PointerByReference;
import io.pipekit.core.windows.Advapi32Ex;

/** Reads a named pipe's DACL back as SDDL, as a client would see it. */
final class PipeDacl {
    private static final int SE_KERNEL_OBJECT = 6;

    private PipeDacl() {
    }

    static String of(String pipePath) {
        WinNT.HANDLE pipe = Kernel32.INSTANCE.CreateFile(pipePath, WinNT.READ_CONTROL, 0, null, Kernel32.OPEN_EXISTING, 0, null);
        if (WinNT.INVALID_HANDLE_VALUE.equals(pipe)) {
            throw new AssertionError("CreateFile(READ_CONTROL) failed with " + Native.getLastError());
        }
        try {
            PointerByReference descriptor = new PointerByReference();
            int error = Advapi32.INSTANCE.GetSecurityInfo(pipe, SE_KERNEL_OBJECT, Advapi32Ex.DACL_SECURITY_INFORMATION,
                    null, null, null, null, descriptor);
            if (error != 0) {
                throw new AssertionError("GetSecurityInfo failed with " + error);
            }
            try {
                return CanonicalSddl.daclOf(descriptor.getValue());
            } finally {
                Kernel32.INSTANCE.LocalFree(descriptor.getValue());
            }
        } finally {
            Kernel32.INSTANCE.CloseHandle(pipe);
        }
    }
}
