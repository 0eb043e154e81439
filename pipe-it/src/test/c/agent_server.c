/*
 * A byte-type named pipe server in the style of the OpenSSH agent (Win32-OpenSSH serves
 * \\.\pipe\openssh-ssh-agent this way): a byte-type pipe in byte read mode, and every message,
 * both ways, a 4-byte big-endian length followed by that many bytes. Written from the agent
 * protocol's documented behaviour, not from pipekit's code, so that pipekit's byte-mode client
 * and LengthPrefixFraming meet a peer nobody on the project shaped to them.
 *
 * It answers SSH_AGENTC_REQUEST_IDENTITIES (11) with SSH_AGENT_IDENTITIES_ANSWER (12) and zero
 * keys, and, for tests, SSH_AGENTC_EXTENSION (27) by echoing the whole message back; anything
 * else gets SSH_AGENT_FAILURE (5). A length above 4 MiB closes that client's connection, as the
 * agent refuses oversized messages. One thread per client.
 *
 * Usage: agent-server.exe [pipe name]       (default "openssh-ssh-agent-test")
 * Prints "listening on <name>" once the first instance exists.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @cflags.rsp \
 *          -o agent-server.exe agent_server.c
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>  /* malloc, free */
#include <tchar.h>
#include <strsafe.h>

#define MAX_MESSAGE (4u * 1024 * 1024)
#define REQUEST_IDENTITIES 11
#define IDENTITIES_ANSWER 12
#define EXTENSION 27
#define FAILURE 5

/* Reads exactly len bytes; FALSE if the client left or the read failed. */
static BOOL readFully(HANDLE pipe, BYTE *buf, DWORD len)
{
    while (len > 0) {
        DWORD got = 0;
        if (!ReadFile(pipe, buf, len, &got, NULL) || got == 0)
            return FALSE;
        buf += got;
        len -= got;
    }
    return TRUE;
}

/* Writes one framed message: the length, then the body, in one WriteFile. */
static BOOL writeFrame(HANDLE pipe, const BYTE *body, DWORD len)
{
    BYTE *frame = malloc(4 + (size_t) len);
    if (frame == NULL)
        return FALSE;
    frame[0] = (BYTE) (len >> 24);
    frame[1] = (BYTE) (len >> 16);
    frame[2] = (BYTE) (len >> 8);
    frame[3] = (BYTE) len;
    if (len > 0)
        memcpy(frame + 4, body, len);
    DWORD written = 0;
    BOOL ok = WriteFile(pipe, frame, 4 + len, &written, NULL) && written == 4 + len;
    free(frame);
    return ok;
}

static DWORD WINAPI serveClient(LPVOID param)
{
    HANDLE pipe = (HANDLE) param;
    for (;;) {
        BYTE header[4];
        if (!readFully(pipe, header, 4))
            break;
        DWORD len = ((DWORD) header[0] << 24) | ((DWORD) header[1] << 16) | ((DWORD) header[2] << 8) | header[3];
        if (len == 0 || len > MAX_MESSAGE)
            break; /* the agent drops a client that sends an empty or oversized message */
        BYTE *message = malloc(len);
        if (message == NULL || !readFully(pipe, message, len)) {
            free(message);
            break;
        }
        BOOL ok;
        if (message[0] == REQUEST_IDENTITIES) {
            BYTE none[5] = {IDENTITIES_ANSWER, 0, 0, 0, 0};
            ok = writeFrame(pipe, none, sizeof none);
        } else if (message[0] == EXTENSION) {
            ok = writeFrame(pipe, message, len);
        } else {
            BYTE failure = FAILURE;
            ok = writeFrame(pipe, &failure, 1);
        }
        free(message);
        if (!ok)
            break;
    }
    FlushFileBuffers(pipe); /* let the client read the last answer before the disconnect discards it */
    DisconnectNamedPipe(pipe);
    CloseHandle(pipe);
    return 0;
}

int _tmain(int argc, TCHAR *argv[])
{
    TCHAR pipeName[256];
    StringCchPrintf(pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argc > 1 ? argv[1] : TEXT("openssh-ssh-agent-test"));
    BOOL announced = FALSE;
    for (;;) {
        HANDLE pipe = CreateNamedPipe(pipeName, PIPE_ACCESS_DUPLEX,
                PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                PIPE_UNLIMITED_INSTANCES, 64 * 1024, 64 * 1024, 0, NULL);
        if (pipe == INVALID_HANDLE_VALUE) {
            _tprintf(TEXT("CreateNamedPipe failed with %lu.\n"), GetLastError());
            return 1;
        }
        if (!announced) {
            _tprintf(TEXT("listening on %ls\n"), pipeName);
            fflush(stdout);
            announced = TRUE;
        }
        BOOL connected = ConnectNamedPipe(pipe, NULL) || GetLastError() == ERROR_PIPE_CONNECTED;
        if (!connected) {
            CloseHandle(pipe);
            continue;
        }
        HANDLE thread = CreateThread(NULL, 0, serveClient, pipe, 0, NULL);
        if (thread == NULL) {
            CloseHandle(pipe);
            continue;
        }
        CloseHandle(thread);
    }
}
