package io.pipekit.core.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;

/**
 * The kernel32 functions pipekit calls that {@code jna-platform}'s {@code Kernel32} lacks, or
 * declares with a JNA {@code Structure} where pipekit needs a raw pointer to memory it owns
 * until the I/O completes. Names and parameters mirror the Win32 documentation; {@code W}
 * variants are chosen by {@link W32APIOptions#DEFAULT_OPTIONS}.
 *
 * <p>Read {@link Native#getLastError()} immediately after a call that failed: any other
 * native call in between may overwrite it.
 */
public interface Kernel32Ex extends StdCallLibrary {
    /** The bindings, loaded once. */
    Kernel32Ex INSTANCE = Native.load("kernel32", Kernel32Ex.class, W32APIOptions.DEFAULT_OPTIONS);

    /**
     * The same bindings with the pipe-opening calls noted on their way through {@link PipeOpenCalls},
     * a test seam: for {@link #CreateNamedPipe} and {@link #CreateFile} only. Every other call
     * (GetOverlappedResult on each client read and write among them) goes through
     * {@link #INSTANCE}, with no proxy in between.
     */
    Kernel32Ex OPENING = PipeOpenCalls.recorded(INSTANCE);

    int PIPE_ACCESS_DUPLEX = 0x00000003;
    int FILE_FLAG_OVERLAPPED = 0x40000000;
    int FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000;
    int PIPE_TYPE_MESSAGE = 0x00000004;
    int PIPE_TYPE_BYTE = 0x00000000;
    int PIPE_READMODE_BYTE = 0x00000000;
    int PIPE_READMODE_MESSAGE = 0x00000002;
    int PIPE_WAIT = 0x00000000;
    int PIPE_REJECT_REMOTE_CLIENTS = 0x00000008;
    int PIPE_UNLIMITED_INSTANCES = 255;
    int SECURITY_SQOS_PRESENT = 0x00100000;
    int SECURITY_IDENTIFICATION = 1 << 16;
    int SECURITY_IMPERSONATION = 2 << 16;
    int FILE_WRITE_ATTRIBUTES = 0x0100;
    int THREAD_SET_CONTEXT = 0x0010;
    int INFINITE = 0xFFFFFFFF;
    int WAIT_OBJECT_0 = 0;
    int WAIT_IO_COMPLETION = 0xC0;
    int WAIT_FAILED = 0xFFFFFFFF;

    /** NTSTATUS in OVERLAPPED.Internal while the I/O is pending. */
    int STATUS_PENDING = 0x00000103;
    /** NTSTATUS in OVERLAPPED.Internal for a message longer than the read buffer (a warning). */
    int STATUS_BUFFER_OVERFLOW = 0x80000005;

    /** <a href="https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createnamedpipew">CreateNamedPipeW</a> */
    HANDLE CreateNamedPipe(String name, int openMode, int pipeMode, int maxInstances, int outBufferSize,
            int inBufferSize, int defaultTimeOut, Pointer securityAttributes);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createfilew">CreateFileW</a>,
     * here rather than jna-platform's so that a client's open passes {@link PipeOpenCalls}.
     */
    HANDLE CreateFile(String fileName, int desiredAccess, int shareMode, Pointer securityAttributes, int creationDisposition,
            int flagsAndAttributes, HANDLE templateFile);

    /** <a href="https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-connectnamedpipe">ConnectNamedPipe</a> */
    boolean ConnectNamedPipe(HANDLE pipe, Pointer overlapped);

    /** <a href="https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getoverlappedresult">GetOverlappedResult</a> */
    boolean GetOverlappedResult(HANDLE file, Pointer overlapped, IntByReference bytesTransferred, boolean wait);

    /** <a href="https://learn.microsoft.com/windows/win32/fileio/cancelioex-func">CancelIoEx</a> */
    boolean CancelIoEx(HANDLE file, Pointer overlapped);

    /** <a href="https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getprocesshandlecount">GetProcessHandleCount</a>, for leak checks. */
    boolean GetProcessHandleCount(HANDLE process, IntByReference handleCount);
}
