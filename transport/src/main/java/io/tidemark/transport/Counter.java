package io.tidemark.transport;

/**
 * The counters a {@link TransportServer} or {@link TransportClient} keeps, read through
 * {@link TransportCounters#get(Counter)}. All are monotonic totals since start.
 */
public enum Counter
{
    /** Connections accepted (server) or established (client). */
    CONNECTIONS_OPENED,
    /** Connections refused because {@code maxConnections} were open (accepted, then closed at once). */
    CONNECTIONS_REJECTED,
    /** Connections refused because {@code maxConnectionsPerIp} (or its override) were open from that address. */
    CONNECTIONS_REJECTED_PER_IP,
    /** Connections closed, for any reason. */
    CONNECTIONS_CLOSED,
    /** Complete frames received. */
    FRAMES_RECEIVED,
    /** Frames completely written. */
    FRAMES_SENT,
    /** Bytes read from sockets, length prefixes included. */
    BYTES_RECEIVED,
    /** Bytes written to sockets, length prefixes included. */
    BYTES_SENT,
    /** Connections closed for a frame length of zero or less. */
    INVALID_FRAME_LENGTH,
    /** Connections closed for a frame length above {@code maxFrameBytes}. */
    FRAME_TOO_LARGE,
    /** Connections the peer closed in the middle of a frame. */
    TRUNCATED_FRAMES,
    /** Connections closed because a frame did not arrive within {@code frameReadTimeoutMs} of its first byte. */
    FRAME_READ_TIMEOUTS,
    /** Frames that took the budget's pass to finish: partly received frames needed more than the budget held. */
    MEMORY_PASSES,
    /** Connections closed by the idle timeout. */
    IDLE_TIMEOUTS,
    /** Sends that failed (I/O error or file region past the end of its file). */
    SEND_FAILURES,
    /** Times reads paused because {@code maxInFlightRequestsPerConnection} requests awaited responses. */
    READ_PAUSED_IN_FLIGHT,
    /** Times reads paused because more than {@code maxQueuedSendBytes} were queued to send. */
    READ_PAUSED_QUEUED_SEND_BYTES,
    /** Times reads paused because {@code maxQueuedRequestBytes} was exhausted. */
    READ_PAUSED_MEMORY,
    /** Times the application paused reads on a connection ({@link Connection#pauseReads()}), e.g. throttling. */
    READ_PAUSED_BY_APPLICATION,
    /** Connections closed because the handler threw. */
    HANDLER_ERRORS,
    /** Client: requests failed by the request timeout. */
    REQUEST_TIMEOUTS,
    /** Client: responses whose correlation id matched no pending request (late or bogus); discarded. */
    UNMATCHED_RESPONSES,
    /** Client: connects that failed or timed out. */
    CONNECT_FAILURES,
    /** Connections closed on a socket I/O error. */
    IO_ERRORS,
    /** UDP: datagrams received and delivered. */
    DATAGRAMS_RECEIVED,
    /** UDP: datagrams sent. */
    DATAGRAMS_SENT,
    /** UDP: received datagrams dropped for exceeding {@code maxDatagramBytes}. */
    DATAGRAMS_OVERSIZED,
    /** UDP: sends refused because the socket buffer was full (returned {@code UdpChannel.BACK_PRESSURED}). */
    DATAGRAMS_BACK_PRESSURED;

    static final Counter[] VALUES = values();
}
