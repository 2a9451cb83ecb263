package io.tidemark.transport;

import java.nio.ByteBuffer;

/**
 * One request frame received on a server connection, delivered to {@link FrameHandler#onFrame}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 length (int32, big-endian, > 0)               |  not part of body()
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 body: length bytes                           ...  = body(), position 0, limit length
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Every frame must be completed exactly once, from any thread and at any later time, by
 * {@link #respond(Send)} or {@link #noResponse()}. Responses go out in the order the requests arrived on the
 * connection: a response completed early is held until every earlier request on the connection has been
 * completed. Until completion the frame counts against {@code maxInFlightRequestsPerConnection}.
 *
 * <p>The body belongs to the handler after delivery. Its bytes count against the server-wide
 * {@code maxQueuedRequestBytes} budget until {@link #release()}, {@link #respond(Send)} or
 * {@link #noResponse()} (whichever comes first), or until the connection closes.
 */
public interface InboundFrame
{
    /**
     * @return the connection the frame arrived on.
     */
    Connection connection();

    /**
     * @return the frame body (without the length prefix), position 0 and limit {@link #length()}.
     */
    ByteBuffer body();

    /**
     * @return body length in bytes.
     */
    int length();

    /**
     * @return arrival number of the frame on its connection, from 0.
     */
    long sequence();

    /**
     * @return {@code nanoClock} time at which the frame was completely received.
     */
    long receivedNs();

    /**
     * Completes the frame with a response. Callable once, from any thread.
     *
     * @param response the response frame body; the transport adds the length prefix.
     * @return true when queued; false when the connection has closed, in which case the response's completion
     *         callback receives the error.
     * @throws IllegalStateException when the frame was already completed or the send was already used.
     */
    boolean respond(Send response);

    /**
     * Completes the frame without a response (e.g. a Kafka produce with acks=0). Callable once, from any thread.
     *
     * @return true when the frame was still open; false when its connection has closed.
     * @throws IllegalStateException when the frame was already completed.
     */
    boolean noResponse();

    /**
     * Returns the body's bytes to the {@code maxQueuedRequestBytes} budget early, e.g. once the request is
     * parsed and a long-poll starts waiting. The body must not be used after this. Idempotent.
     */
    void release();
}
