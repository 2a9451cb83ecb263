package io.tidemark.replication.controller.raft;

/**
 * API keys and error codes of the controller RPCs on the internal transport's {@code CONTROLLER}
 * listener (version 0 of each). Bodies are {@link ControllerCodec} / {@link RaftMessageCodec} bytes.
 *
 * <pre>
 *  key  name           direction           request body                          response body
 *  100  RAFT_MESSAGE   voter -&gt; voter      raft message (one-way)                none
 *  101  WRITE          any -&gt; voter        op (a Validate for validateOnly)      result
 *  102  HEARTBEAT      any -&gt; voter        i32 brokerId, i64 brokerEpoch         result
 *  103  FETCH_IMAGE    broker -&gt; voter     i64 knownVersion, i32 maxWaitMs       i32 leaderHint, bool newer, [i32 n, image text]
 *
 *  error codes (RPC header): 0 see the body; 2000 MALFORMED_REQUEST (not retriable); 2001 UNAVAILABLE
 *  (the node is closing or its store failed; retry elsewhere)
 * </pre>
 *
 * A node that is not the active controller answers WRITE and HEARTBEAT with a
 * {@link ControllerResult.Retry} naming the leader it knows; the client retries there.
 */
public final class ControllerApi
{
    /** One-way Raft message. */
    public static final int RAFT_MESSAGE = 100;
    /** A metadata change (or validation), forwarded to the active controller. */
    public static final int WRITE = 101;
    /** A broker heartbeat (not replicated). */
    public static final int HEARTBEAT = 102;
    /** Long poll for an image newer than a version. */
    public static final int FETCH_IMAGE = 103;
    /** The request did not decode. */
    public static final short MALFORMED_REQUEST = 2000;
    /** The node cannot serve at all now. */
    public static final short UNAVAILABLE = 2001;

    private ControllerApi()
    {
    }
}
