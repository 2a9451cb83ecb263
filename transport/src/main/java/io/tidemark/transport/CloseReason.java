package io.tidemark.transport;

/**
 * Why a connection closed, as passed to {@link FrameHandler#onClose(Connection, CloseReason, Throwable)}.
 */
public enum CloseReason
{
    /** The peer closed the connection at a frame boundary. */
    PEER_CLOSED,
    /** The peer closed the connection in the middle of a frame. */
    TRUNCATED_FRAME,
    /** A frame declared a length of zero or less. */
    INVALID_FRAME_LENGTH,
    /** A frame declared a length above {@code maxFrameBytes}; nothing was allocated for it. */
    FRAME_TOO_LARGE,
    /** A frame did not arrive in full within {@code frameReadTimeoutMs} of its first byte (a slow sender). */
    FRAME_READ_TIMEOUT,
    /** No traffic for {@code connectionsMaxIdleMs} and nothing in flight. */
    IDLE_TIMEOUT,
    /** A socket read or write failed. */
    IO_ERROR,
    /** A send could not be written (e.g. its file region lies past the end of the file). */
    SEND_FAILED,
    /** The application's handler threw. */
    HANDLER_ERROR,
    /** The connection could not be established, or not within the connect timeout. */
    CONNECT_FAILED,
    /** {@link Connection#close()} was called. */
    LOCAL_CLOSE,
    /** The server or client owning the connection was closed. */
    SHUTDOWN
}
