package io.pipekit.core;

/**
 * A message was refused because the connection already has as many bytes waiting to be written
 * as its bound allows: the peer is not reading. Nothing of the refused message was queued; the
 * connection stays open, and a later send succeeds once the peer has read.
 */
public final class SendQueueFullException extends PipeException {
    private static final long serialVersionUID = 1L;

    public SendQueueFullException(String operation, String explanation) {
        super(operation, NO_CODE, explanation);
    }
}
