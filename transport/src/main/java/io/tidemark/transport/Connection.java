package io.tidemark.transport;

import java.net.InetSocketAddress;

/**
 * One TCP connection of a {@link TransportServer} (or a {@link TransportClient}). Owned by a selector thread;
 * every method here is safe to call from any thread.
 */
public interface Connection
{
    /**
     * @return an id unique within the owning server or client, assigned in accept order from 0.
     */
    long id();

    /**
     * @return the peer's address.
     */
    InetSocketAddress remoteAddress();

    /**
     * @return true until the connection is closed (by either side, an error, a timeout or a shutdown).
     */
    boolean isOpen();

    /**
     * Closes the connection asynchronously: queued and future sends fail, and the handler's
     * {@link FrameHandler#onClose} runs on the selector thread with {@link CloseReason#LOCAL_CLOSE}.
     * Idempotent.
     */
    void close();

    /**
     * Stops reading new frames from this connection until {@link #resumeReads()}, e.g. to throttle a client
     * over its quota (Kafka mutes the channel for the throttle time). Frames already received are unaffected
     * and responses still go out; the idle timeout does not close a paused connection. Asynchronous and
     * idempotent; callable from any thread.
     */
    void pauseReads();

    /**
     * Undoes {@link #pauseReads()}; reading resumes unless another limit (in-flight requests, queued send bytes,
     * request memory) still holds it. Asynchronous and idempotent; callable from any thread.
     */
    void resumeReads();

    /**
     * @param attachment application state to keep with this connection (e.g. a session), or null.
     */
    void attach(Object attachment);

    /**
     * @return what was last {@link #attach(Object) attached}, or null.
     */
    Object attachment();
}
