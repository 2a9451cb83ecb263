package io.tidemark.replication.controller.raft;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.tidemark.transport.ClientConnection;
import io.tidemark.transport.LogText;
import io.tidemark.transport.RpcRequest;
import io.tidemark.transport.RpcServer;
import io.tidemark.transport.Send;
import io.tidemark.transport.TransportClient;
import io.tidemark.transport.TransportConfig;
import io.tidemark.transport.TransportServer;

/**
 * {@link QuorumNetwork} over the internal transport: a {@link TransportServer} on the node's
 * {@code CONTROLLER} listener (none for a broker-only client) and one lazily (re)connected client
 * connection per voter. Raft messages go one-way; a voter that cannot be reached is retried at most
 * every {@code reconnectBackoffMs}, and messages for it meanwhile are dropped (Raft resends).
 */
final class TransportQuorumNetwork implements QuorumNetwork
{
    private static final System.Logger LOG = System.getLogger(TransportQuorumNetwork.class.getName());

    private volatile Map<Integer, InetSocketAddress> voters;
    private final long reconnectBackoffMs;
    private final TransportClient client;
    private final ConcurrentHashMap<Integer, Link> links = new ConcurrentHashMap<>();
    private final TransportServer server;
    private volatile Inbound inbound;
    private volatile boolean closed;

    private static final class Link
    {
        volatile CompletableFuture<ClientConnection> connection;
        volatile long retryAtNs;
    }

    /**
     * Binds the listener at once (traffic before {@link #serve} is dropped or answered UNAVAILABLE).
     *
     * @param voters             voter id to address.
     * @param config             transport limits and timeouts.
     * @param listenAddress      where to serve, or null for a client only.
     * @param reconnectBackoffMs pause after a failed connect.
     */
    TransportQuorumNetwork(final Map<Integer, InetSocketAddress> voters, final TransportConfig config, final InetSocketAddress listenAddress,
        final long reconnectBackoffMs)
    {
        this.voters = Map.copyOf(voters);
        this.reconnectBackoffMs = reconnectBackoffMs;
        this.client = TransportClient.start(config);
        if (listenAddress == null)
        {
            server = null;
            return;
        }
        final RpcServer rpc = RpcServer.builder()
            .register(ControllerApi.RAFT_MESSAGE, 0, 0, request ->
            {
                final byte[] bytes = copy(request);
                request.noResponse();
                final Inbound handler = inbound;
                if (handler != null)
                {
                    handler.onRaftMessage(bytes);
                }
            })
            .register(ControllerApi.WRITE, 0, 0, this::serveRequest)
            .register(ControllerApi.HEARTBEAT, 0, 0, this::serveRequest)
            .register(ControllerApi.FETCH_IMAGE, 0, 0, this::serveRequest)
            .build();
        TransportServer started = null;
        try
        {
            started = TransportServer.start(config, listenAddress, rpc);
        }
        finally
        {
            if (started == null)
            {
                client.close();
            }
        }
        server = started;
    }

    /**
     * @param addresses the voters' addresses (when they are known only after binding, as in tests).
     */
    void voters(final Map<Integer, InetSocketAddress> addresses)
    {
        voters = Map.copyOf(addresses);
        links.clear();
    }

    /**
     * @return the port served, or -1.
     */
    int port()
    {
        return server == null ? -1 : server.port();
    }

    @Override
    public void serve(final Inbound handler)
    {
        this.inbound = handler;
    }

    private static byte[] copy(final RpcRequest request)
    {
        final ByteBuffer body = request.body();
        final byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        request.frame().release();
        return bytes;
    }

    private void serveRequest(final RpcRequest request)
    {
        final byte[] bytes = copy(request);
        final Inbound handler = inbound;
        if (handler == null || closed)
        {
            request.respondError(ControllerApi.UNAVAILABLE);
            return;
        }
        handler.onRequest(request.apiKey(), bytes, response ->
        {
            if (response == null)
            {
                request.respondError(ControllerApi.UNAVAILABLE);
            }
            else if (response.length == 0)
            {
                request.respondError(ControllerApi.MALFORMED_REQUEST);
            }
            else
            {
                request.respond(Send.of(ByteBuffer.wrap(response)));
            }
        });
    }

    private CompletableFuture<ClientConnection> connection(final int nodeId)
    {
        final InetSocketAddress address = voters.get(nodeId);
        if (address == null || closed)
        {
            return null;
        }
        final Link link = links.computeIfAbsent(nodeId, id -> new Link());
        synchronized (link)
        {
            final CompletableFuture<ClientConnection> current = link.connection;
            if (current != null)
            {
                if (!current.isDone())
                {
                    return current;
                }
                if (!current.isCompletedExceptionally() && current.join().isOpen())
                {
                    return current;
                }
                if (System.nanoTime() - link.retryAtNs < 0)
                {
                    return null;
                }
            }
            final CompletableFuture<ClientConnection> next = client.connect(address.isUnresolved() ?
                new InetSocketAddress(address.getHostString(), address.getPort()) : address);
            link.connection = next;
            link.retryAtNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(reconnectBackoffMs);
            return next;
        }
    }

    @Override
    public void sendRaft(final int nodeId, final byte[] message)
    {
        final CompletableFuture<ClientConnection> c = connection(nodeId);
        if (c == null)
        {
            return;
        }
        c.thenAccept(connection ->
        {
            try
            {
                connection.sendOneWay(ControllerApi.RAFT_MESSAGE, 0, Send.of(ByteBuffer.wrap(message)));
            }
            catch (final RuntimeException ex)
            {
                // closed meanwhile: Raft resends
                LOG.log(System.Logger.Level.DEBUG, "raft message to node {0} dropped: {1}", nodeId, LogText.escape(ex));
            }
        });
    }

    @Override
    public CompletableFuture<byte[]> request(final int nodeId, final int apiKey, final byte[] body, final long timeoutMs)
    {
        final CompletableFuture<ClientConnection> c = connection(nodeId);
        if (c == null)
        {
            return CompletableFuture.failedFuture(new IllegalStateException(closed ? "network closed" :
                voters.containsKey(nodeId) ? "node " + nodeId + " is unreachable (reconnecting)" : "node " + nodeId + " is not a voter"));
        }
        return c.thenCompose(connection -> connection.request(apiKey, 0, Send.of(ByteBuffer.wrap(body)), Math.max(1, timeoutMs)))
            .thenApply(response ->
            {
                if (response.errorCode() != 0)
                {
                    throw new IllegalStateException("node " + nodeId + " answered error " + response.errorCode());
                }
                final byte[] bytes = new byte[response.body().remaining()];
                response.body().get(bytes);
                return bytes;
            });
    }

    @Override
    public boolean isReachable(final int nodeId)
    {
        final Link link = links.get(nodeId);
        if (link == null)
        {
            return true;
        }
        final CompletableFuture<ClientConnection> c = link.connection;
        return c == null || !c.isDone() || !c.isCompletedExceptionally() && c.join().isOpen();
    }

    @Override
    public void close()
    {
        closed = true;
        inbound = null;
        if (server != null)
        {
            server.close();
        }
        client.close();
    }
}
