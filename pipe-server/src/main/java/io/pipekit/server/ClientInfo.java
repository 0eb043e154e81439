package io.pipekit.server;

/**
 * Who a request comes from, as a handler sees it.
 *
 * @param connectionId a number unique among this server's connections, for logs (the sample
 *     logs the pipe instance handle for the same purpose)
 * @param processId the client's process id ({@code GetNamedPipeClientProcessId}), or -1 where
 *     the transport cannot tell
 */
public record ClientInfo(long connectionId, long processId) {
}
