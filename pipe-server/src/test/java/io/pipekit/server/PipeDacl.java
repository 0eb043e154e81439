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

    /**
     * The pipe's DACL entry by entry, as {@code "allow 0x001f01ff S-1-5-18"}: type, access mask,
     * and the SID as a plain SID string (no SDDL aliases). Flags of the ACEs are written too when
     * they are set ({@code " flags 0x10"}). The DACL's control bits ({@code D:P} against
     * Windows' {@code D:PAI}) are left out: they say how the DACL was made, not who may open the pipe.
     */
    static java.util.List<String> acesOf(String pipePath) {
        WinNT.HANDLE pipe = Kernel32.INSTANCE.CreateFile(pipePath, WinNT.READ_CONTROL, 0, null, Kernel32.OPEN_EXISTING, 0, null);
        if (WinNT.INVALID_HANDLE_VALUE.equals(pipe)) {
            throw new AssertionError("CreateFile(READ_CONTROL) failed with " + Native.getLastError());
        }
        try {
            PointerByReference dacl = new PointerByReference();
            PointerByReference descriptor = new PointerByReference();
            int error = Advapi32.INSTANCE.GetSecurityInfo(pipe, SE_KERNEL_OBJECT, Advapi32Ex.DACL_SECURITY_INFORMATION,
                    null, null, dacl, null, descriptor);
            if (error != 0) {
                throw new AssertionError("GetSecurityInfo failed with " + error);
            }
            try {
                java.util.List<String> aces = new java.util.ArrayList<>();
                for (WinNT.ACE_HEADER ace : new WinNT.ACL(dacl.getValue()).getACEs()) {
                    aces.add(describe(ace));
                }
                return aces;
            } finally {
                Kernel32.INSTANCE.LocalFree(descriptor.getValue());
            }
        } finally {
            Kernel32.INSTANCE.CloseHandle(pipe);
        }
    }

    private static String describe(WinNT.ACE_HEADER ace) {
        String type = switch (ace.AceType) {
            case WinNT.ACCESS_ALLOWED_ACE_TYPE -> "allow";
            case WinNT.ACCESS_DENIED_ACE_TYPE -> "deny";
            default -> "type " + ace.AceType;
        };
        String flags = ace.AceFlags == 0 ? "" : String.format(" flags 0x%02x", ace.AceFlags & 0xff);
        if (!(ace instanceof WinNT.ACCESS_ACEStructure access)) {
            return type + flags;
        }
        return String.format("%s 0x%08x %s%s", type, access.Mask, access.getSidString(), flags);
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
