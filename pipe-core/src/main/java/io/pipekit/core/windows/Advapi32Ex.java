package io.pipekit.core.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;

/** The advapi32 functions pipekit calls that {@code jna-platform} lacks: SDDL conversion, pipe impersonation. */
public interface Advapi32Ex extends StdCallLibrary {
    /** The bindings, loaded once. */
    Advapi32Ex INSTANCE = Native.load("advapi32", Advapi32Ex.class, W32APIOptions.DEFAULT_OPTIONS);

    int SDDL_REVISION_1 = 1;
    int DACL_SECURITY_INFORMATION = 0x00000004;

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/sddl/nf-sddl-convertstringsecuritydescriptortosecuritydescriptorw">ConvertStringSecurityDescriptorToSecurityDescriptorW</a>;
     * the descriptor it returns is freed with {@code LocalFree}.
     */
    boolean ConvertStringSecurityDescriptorToSecurityDescriptor(String sddl, int revision,
            PointerByReference securityDescriptor, IntByReference size);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/sddl/nf-sddl-convertsecuritydescriptortostringsecuritydescriptorw">ConvertSecurityDescriptorToStringSecurityDescriptorW</a>;
     * the string it returns is freed with {@code LocalFree}.
     */
    boolean ConvertSecurityDescriptorToStringSecurityDescriptor(Pointer securityDescriptor, int revision,
            int securityInformation, PointerByReference sddl, IntByReference length);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-impersonatenamedpipeclient">ImpersonateNamedPipeClient</a>:
     * the calling thread takes the pipe client's security context until {@code RevertToSelf}.
     */
    boolean ImpersonateNamedPipeClient(HANDLE pipe);
}
