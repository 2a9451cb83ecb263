package io.tidemark.replication;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

import io.tidemark.transport.ClientConnection;
import io.tidemark.transport.RpcResponse;
import io.tidemark.transport.Send;
import io.tidemark.transport.TransportClient;
import io.tidemark.transport.TransportException;

/**
 * The follower's side of the replication RPCs over the internal transport: one connection per leader
 * broker, opened on demand to the address the metadata gives for its {@code REPLICATION} listener, and
 * re-opened after a failure.
 */
public final class TransportReplicationLink implements ReplicationLink, AutoCloseable
{
    private final TransportClient client;
    private final Function<Integer, InetSocketAddress> addresses;
    private final long requestTimeoutMs;
    private final Map<Integer, CompletableFuture<ClientConnection>> connections = new ConcurrentHashMap<>();

    /**
     * @param client           the transport client (owned by the caller).
     * @param addresses        broker id to its replication listener address (null if unknown).
     * @param requestTimeoutMs per-request timeout (above the fetch long-poll wait).
     */
    public TransportReplicationLink(
        final TransportClient client, final Function<Integer, InetSocketAddress> addresses, final long requestTimeoutMs)
    {
        this.client = client;
        this.addresses = addresses;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    private CompletableFuture<ClientConnection> connection(final int brokerId)
    {
        final CompletableFuture<ClientConnection> existing = connections.get(brokerId);
        if (existing != null && (!existing.isDone() || (!existing.isCompletedExceptionally() && existing.join().isOpen())))
        {
            return existing;
        }
        final InetSocketAddress address = addresses.apply(brokerId);
        if (address == null)
        {
            return CompletableFuture.failedFuture(new IllegalStateException("no replication address known for broker " + brokerId));
        }
        final CompletableFuture<ClientConnection> created = client.connect(address);
        connections.put(brokerId, created);
        return created;
    }

    private void request(final int brokerId, final int apiKey, final java.nio.ByteBuffer body,
        final BiConsumer<RpcResponse, Throwable> callback)
    {
        connection(brokerId).whenComplete((c, connectError) ->
        {
            if (connectError != null)
            {
                connections.remove(brokerId);
                callback.accept(null, connectError);
                return;
            }
            c.request(apiKey, ReplicationCodec.VERSION, Send.of(body), requestTimeoutMs).whenComplete((r, e) ->
            {
                if (e == null && r.errorCode() != 0)
                {
                    callback.accept(null, new TransportException(TransportException.Code.REQUEST_TIMEOUT,
                        "replication request refused with RPC error " + r.errorCode()));
                    return;
                }
                if (e != null && !c.isOpen())
                {
                    connections.remove(brokerId);
                }
                callback.accept(r, e);
            });
        });
    }

    @Override
    public void fetch(final int leaderId, final ReplicaFetchRequest request, final BiConsumer<ReplicaFetchResponse, Throwable> callback)
    {
        request(leaderId, ReplicationCodec.REPLICA_FETCH, ReplicationCodec.encodeFetchRequest(request), (r, e) ->
        {
            if (e != null)
            {
                callback.accept(null, e);
                return;
            }
            final ReplicaFetchResponse response;
            try
            {
                response = ReplicationCodec.decodeFetchResponse(r.body());
            }
            catch (final RuntimeException ex)
            {
                callback.accept(null, ex);
                return;
            }
            callback.accept(response, null);
        });
    }

    @Override
    public void epochEndOffsets(final int leaderId, final List<EpochEndOffsets.Query> queries,
        final BiConsumer<List<EpochEndOffsets.Answer>, Throwable> callback)
    {
        request(leaderId, ReplicationCodec.EPOCH_END_OFFSETS, ReplicationCodec.encodeEpochQueries(queries), (r, e) ->
        {
            if (e != null)
            {
                callback.accept(null, e);
                return;
            }
            final List<EpochEndOffsets.Answer> answers;
            try
            {
                answers = ReplicationCodec.decodeEpochAnswers(r.body());
            }
            catch (final RuntimeException ex)
            {
                callback.accept(null, ex);
                return;
            }
            callback.accept(answers, null);
        });
    }

    @Override
    public void close()
    {
        for (final CompletableFuture<ClientConnection> c : connections.values())
        {
            if (c.isDone() && !c.isCompletedExceptionally())
            {
                c.join().close();
            }
        }
        connections.clear();
    }
}
