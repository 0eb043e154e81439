/*
 * The documented single-threaded named pipe server using completion routines
 * (shared/seed in the pipekit repository), written again for pipekit's test bed.
 *
 * It keeps the sample's design and wire format exactly: one thread, one
 * manual-reset connect event, an overlapped ConnectNamedPipe, an alertable
 * WaitForSingleObjectEx, and per client the chain
 * ReadFileEx -> GetAnswerToRequest -> WriteFileEx -> ReadFileEx ... on a
 * message-type pipe carrying NUL-terminated UTF-16LE text.
 *
 * Differences from the sample, all needed to use it as a test peer:
 *   - the pipe name is the first argument (default "mynamedpipe"), so each test
 *     can use a name of its own;
 *   - it prints "listening on <name>" once the first instance exists, so a test
 *     knows when to connect, and flushes every line it prints;
 *   - it exits with a non-zero code where the sample returned 0 on a failure.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @cflags.rsp \
 *          -o sample-server.exe sample_server.c
 */
#include <windows.h>
#include <stdio.h>
#include <tchar.h>
#include <strsafe.h>

#define PIPE_TIMEOUT 5000
#define BUFSIZE 4096

typedef struct {
    OVERLAPPED oOverlap; /* first member: the OVERLAPPED pointer is the instance pointer */
    HANDLE hPipeInst;
    TCHAR chRequest[BUFSIZE];
    DWORD cbRead;
    TCHAR chReply[BUFSIZE];
    DWORD cbToWrite;
} PIPEINST, *LPPIPEINST;

static TCHAR g_pipeName[256];
static HANDLE g_hPipe;

static VOID DisconnectAndClose(LPPIPEINST);
static BOOL CreateAndConnectInstance(LPOVERLAPPED);
static BOOL ConnectToNewClient(HANDLE, LPOVERLAPPED);
static VOID GetAnswerToRequest(LPPIPEINST);
static VOID WINAPI CompletedWriteRoutine(DWORD, DWORD, LPOVERLAPPED);
static VOID WINAPI CompletedReadRoutine(DWORD, DWORD, LPOVERLAPPED);

int _tmain(int argc, TCHAR *argv[])
{
    HANDLE hConnectEvent;
    OVERLAPPED oConnect;
    LPPIPEINST lpPipeInst;
    DWORD dwWait, cbRet;
    BOOL fSuccess, fPendingIO;

    StringCchPrintf(g_pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argc > 1 ? argv[1] : TEXT("mynamedpipe"));

    /* Manual reset, initially signalled, as in the sample. */
    hConnectEvent = CreateEvent(NULL, TRUE, TRUE, NULL);
    if (hConnectEvent == NULL) {
        _tprintf(TEXT("CreateEvent failed with %lu.\n"), GetLastError());
        return 1;
    }
    ZeroMemory(&oConnect, sizeof oConnect);
    oConnect.hEvent = hConnectEvent;

    fPendingIO = CreateAndConnectInstance(&oConnect);
    if (g_hPipe == INVALID_HANDLE_VALUE)
        return 1;
    _tprintf(TEXT("listening on %ls\n"), g_pipeName);
    fflush(stdout);

    for (;;) {
        /* Wakes for a connect (the event) or to run queued completion routines. */
        dwWait = WaitForSingleObjectEx(hConnectEvent, INFINITE, TRUE);
        switch (dwWait) {
        case 0:
            if (fPendingIO) {
                fSuccess = GetOverlappedResult(g_hPipe, &oConnect, &cbRet, FALSE);
                if (!fSuccess) {
                    _tprintf(TEXT("ConnectNamedPipe (%lu)\n"), GetLastError());
                    return 1;
                }
            }
            lpPipeInst = (LPPIPEINST) GlobalAlloc(GPTR, sizeof(PIPEINST));
            if (lpPipeInst == NULL) {
                _tprintf(TEXT("GlobalAlloc failed (%lu)\n"), GetLastError());
                return 1;
            }
            lpPipeInst->hPipeInst = g_hPipe;
            /* Start this client's chain: the write routine issues the first read. */
            lpPipeInst->cbToWrite = 0;
            CompletedWriteRoutine(0, 0, (LPOVERLAPPED) lpPipeInst);

            fPendingIO = CreateAndConnectInstance(&oConnect);
            if (g_hPipe == INVALID_HANDLE_VALUE)
                return 1;
            break;
        case WAIT_IO_COMPLETION:
            break;
        default:
            _tprintf(TEXT("WaitForSingleObjectEx (%lu)\n"), GetLastError());
            return 1;
        }
    }
}

static VOID WINAPI CompletedWriteRoutine(DWORD dwErr, DWORD cbWritten, LPOVERLAPPED lpOverLap)
{
    LPPIPEINST lpPipeInst = (LPPIPEINST) lpOverLap;
    BOOL fRead = FALSE;

    if ((dwErr == 0) && (cbWritten == lpPipeInst->cbToWrite))
        fRead = ReadFileEx(lpPipeInst->hPipeInst, lpPipeInst->chRequest, BUFSIZE * sizeof(TCHAR),
                           (LPOVERLAPPED) lpPipeInst, (LPOVERLAPPED_COMPLETION_ROUTINE) CompletedReadRoutine);
    if (!fRead)
        DisconnectAndClose(lpPipeInst);
}

static VOID WINAPI CompletedReadRoutine(DWORD dwErr, DWORD cbBytesRead, LPOVERLAPPED lpOverLap)
{
    LPPIPEINST lpPipeInst = (LPPIPEINST) lpOverLap;
    BOOL fWrite = FALSE;

    if ((dwErr == 0) && (cbBytesRead != 0)) {
        lpPipeInst->cbRead = cbBytesRead;
        GetAnswerToRequest(lpPipeInst);
        fWrite = WriteFileEx(lpPipeInst->hPipeInst, lpPipeInst->chReply, lpPipeInst->cbToWrite,
                             (LPOVERLAPPED) lpPipeInst, (LPOVERLAPPED_COMPLETION_ROUTINE) CompletedWriteRoutine);
    }
    if (!fWrite)
        DisconnectAndClose(lpPipeInst);
}

static VOID DisconnectAndClose(LPPIPEINST lpPipeInst)
{
    if (!DisconnectNamedPipe(lpPipeInst->hPipeInst))
        _tprintf(TEXT("DisconnectNamedPipe failed with %lu.\n"), GetLastError());
    CloseHandle(lpPipeInst->hPipeInst);
    GlobalFree(lpPipeInst);
    fflush(stdout);
}

/* Returns TRUE when the connect is pending, FALSE when it already completed. */
static BOOL CreateAndConnectInstance(LPOVERLAPPED lpoOverlap)
{
    g_hPipe = CreateNamedPipe(g_pipeName,
                              PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                              PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                              PIPE_UNLIMITED_INSTANCES,
                              BUFSIZE * sizeof(TCHAR),
                              BUFSIZE * sizeof(TCHAR),
                              PIPE_TIMEOUT,
                              NULL);
    if (g_hPipe == INVALID_HANDLE_VALUE) {
        _tprintf(TEXT("CreateNamedPipe failed with %lu.\n"), GetLastError());
        fflush(stdout);
        return FALSE;
    }
    return ConnectToNewClient(g_hPipe, lpoOverlap);
}

static BOOL ConnectToNewClient(HANDLE hPipe, LPOVERLAPPED lpo)
{
    BOOL fPendingIO = FALSE;

    /* An overlapped ConnectNamedPipe returns zero; the outcome is in GetLastError. */
    if (ConnectNamedPipe(hPipe, lpo)) {
        _tprintf(TEXT("ConnectNamedPipe failed with %lu.\n"), GetLastError());
        return FALSE;
    }
    switch (GetLastError()) {
    case ERROR_IO_PENDING:
        fPendingIO = TRUE;
        break;
    case ERROR_PIPE_CONNECTED: /* the client came before the connect: signal it ourselves */
        if (SetEvent(lpo->hEvent))
            break;
        /* fall through */
    default:
        _tprintf(TEXT("ConnectNamedPipe failed with %lu.\n"), GetLastError());
        fflush(stdout);
        return FALSE;
    }
    return fPendingIO;
}

static VOID GetAnswerToRequest(LPPIPEINST pipe)
{
    /* The sample trusts the client to send a NUL-terminated string; terminate it
       ourselves so a request without its NUL cannot make us print past it. */
    DWORD chars = pipe->cbRead / sizeof(TCHAR);
    pipe->chRequest[chars < BUFSIZE ? chars : BUFSIZE - 1] = 0;
    _tprintf(TEXT("[%p] %ls\n"), pipe->hPipeInst, pipe->chRequest);
    fflush(stdout);
    StringCchCopy(pipe->chReply, BUFSIZE, TEXT("Default answer from server"));
    pipe->cbToWrite = (lstrlen(pipe->chReply) + 1) * sizeof(TCHAR);
}
