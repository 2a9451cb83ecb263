package io.tidemark.transport;

/**
 * The application side of a {@link TransportServer}. Every method runs on the connection's selector thread, so
 * it must not block: hand long work to another thread and complete the frame from there.
 *
 * <pre>
 *   accept ──► onOpen ──► onFrame (0..n, in arrival order) ──► onClose (exactly once)
 * </pre>
 *
 * A method that throws closes the connection with {@link CloseReason#HANDLER_ERROR}.
 */
public interface FrameHandler
{
    /**
     * A connection was accepted.
     *
     * @param connection the new connection.
     */
    default void onOpen(final Connection connection)
    {
    }

    /**
     * A complete frame arrived. The handler must eventually complete it with {@link InboundFrame#respond(Send)}
     * or {@link InboundFrame#noResponse()}, now or later, from any thread.
     *
     * @param connection the connection it arrived on.
     * @param frame      the frame; its body belongs to the handler.
     */
    void onFrame(Connection connection, InboundFrame frame);

    /**
     * The connection closed. Frames not yet completed may still be completed; their responses are discarded
     * and the sends' callbacks receive an error.
     *
     * @param connection the closed connection.
     * @param reason     why it closed.
     * @param error      the underlying error, or null when there is none (e.g. a peer close).
     */
    default void onClose(final Connection connection, final CloseReason reason, final Throwable error)
    {
    }
}
