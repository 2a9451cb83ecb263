package io.tidemark.transport;

/**
 * Told once when a {@link Send} is done, so the caller can release what the send used (e.g. a segment's
 * reference count). Runs on the selector thread (or, when the transport is already closed, on the thread that
 * tried to send): it must be quick and must not block.
 */
@FunctionalInterface
public interface SendCompletion
{
    /**
     * @param send  the send.
     * @param error null when the last byte was written to the socket; otherwise why it failed: a
     *              {@link TransportException} ({@code CONNECTION_CLOSED}, {@code TRANSPORT_CLOSED}) or the
     *              I/O error (e.g. an {@link java.io.EOFException} for a region past the end of its file).
     */
    void onComplete(Send send, Throwable error);
}
