package io.tidemark.replication;

import java.nio.ByteBuffer;
import java.util.List;

import io.tidemark.transport.RpcError;
import io.tidemark.transport.RpcRequest;
import io.tidemark.transport.RpcServer;
import io.tidemark.transport.Send;

/**
 * The leader's replication endpoint on the internal transport (the {@code REPLICATION} listener):
 * decodes replica fetches and epoch queries, answers them through {@link LeaderFetchService}, and
 * sends record bytes zero-copy from the segment files.
 */
public final class ReplicationRpcService
{
    private final LeaderFetchService fetchService;
    private volatile FetchObserver observer;

    /**
     * Told when a follower's fetch was answered (the broker's {@code FetchFollower} request metrics). Runs on
     * the thread that answers: quick, no allocation.
     */
    @FunctionalInterface
    public interface FetchObserver
    {
        /**
         * @param receivedNs when the request's last byte was read ({@code System.nanoTime()}).
         * @param answeredNs when the answer was handed to the transport.
         */
        void onFollowerFetch(long receivedNs, long answeredNs);
    }

    /**
     * @param fetchService the leader's fetch service.
     */
    public ReplicationRpcService(final LeaderFetchService fetchService)
    {
        this.fetchService = fetchService;
    }

    /**
     * @param v told of every answered replica fetch from now on.
     */
    public void observer(final FetchObserver v)
    {
        observer = v;
    }

    /**
     * Registers the replication API keys on an RPC server builder.
     *
     * @param builder the builder.
     * @return the builder.
     */
    public RpcServer.Builder register(final RpcServer.Builder builder)
    {
        return builder
            .register(ReplicationCodec.REPLICA_FETCH, ReplicationCodec.VERSION, ReplicationCodec.VERSION, this::onFetch)
            .register(ReplicationCodec.EPOCH_END_OFFSETS, ReplicationCodec.VERSION, ReplicationCodec.VERSION, this::onEpochQuery);
    }

    private void onFetch(final RpcRequest request)
    {
        final ReplicaFetchRequest fetch;
        try
        {
            fetch = ReplicationCodec.decodeFetchRequest(request.body());
        }
        catch (final RuntimeException ex)
        {
            request.respondError(RpcError.INVALID_REQUEST.code());
            return;
        }
        final long receivedNs = request.frame().receivedNs();
        request.frame().release();
        fetchService.handleFetch(fetch, response ->
        {
            final Send send = ReplicationCodec.encodeFetchResponse(response);
            if (!request.respond(0, send))
            {
                response.release();
            }
            final FetchObserver o = observer;
            if (o != null)
            {
                o.onFollowerFetch(receivedNs, System.nanoTime());
            }
        });
    }

    private void onEpochQuery(final RpcRequest request)
    {
        final List<EpochEndOffsets.Query> queries;
        try
        {
            queries = ReplicationCodec.decodeEpochQueries(request.body());
        }
        catch (final RuntimeException ex)
        {
            request.respondError(RpcError.INVALID_REQUEST.code());
            return;
        }
        final ByteBuffer answers = ReplicationCodec.encodeEpochAnswers(fetchService.handleEpochQueries(queries));
        request.respond(0, Send.of(answers));
    }
}
