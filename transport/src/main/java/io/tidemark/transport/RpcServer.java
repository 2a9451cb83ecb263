package io.tidemark.transport;

import java.util.Objects;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@link FrameHandler} that decodes the internal RPC request header and dispatches by API key to registered
 * {@link RpcHandler}s. Nothing is dropped silently: an unknown API key is answered with
 * {@link RpcError#UNSUPPORTED_API_KEY}, a version outside the registered range with
 * {@link RpcError#UNSUPPORTED_VERSION}, a frame shorter than the header (but holding a correlation id) with
 * {@link RpcError#INVALID_REQUEST}, a handler that throws with {@link RpcError#UNKNOWN_SERVER_ERROR}; a frame too
 * short to carry a correlation id closes the connection.
 *
 * <pre>{@code
 * RpcServer rpc = RpcServer.builder()
 *     .register(FETCH, 0, 1, request -> fetcher.onFetch(request))   // responds later, from any thread
 *     .build();
 * TransportServer server = TransportServer.start(config, address, rpc);
 * }</pre>
 */
public final class RpcServer implements FrameHandler
{
    /** Largest API key that may be registered. */
    public static final int MAX_API_KEY = 1023;

    private final RpcHandler[] handlers;
    private final short[] minVersions;
    private final short[] maxVersions;
    private final FrameHandler connectionListener;
    private final ThreadLocal<Decoding> decoding = ThreadLocal.withInitial(Decoding::new);

    private RpcServer(final Builder builder)
    {
        handlers = builder.handlers.clone();
        minVersions = builder.minVersions.clone();
        maxVersions = builder.maxVersions.clone();
        connectionListener = builder.connectionListener;
    }

    /**
     * @return a builder with no API registered.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    @Override
    public void onOpen(final Connection connection)
    {
        if (null != connectionListener)
        {
            connectionListener.onOpen(connection);
        }
    }

    @Override
    public void onClose(final Connection connection, final CloseReason reason, final Throwable error)
    {
        if (null != connectionListener)
        {
            connectionListener.onClose(connection, reason, error);
        }
    }

    @Override
    public void onFrame(final Connection connection, final InboundFrame inbound)
    {
        final ServerFrame frame = (ServerFrame)inbound;
        final int length = frame.length();
        if (length < RpcRequestHeaderEncoder.API_KEY_OFFSET)
        {
            frame.noResponse();
            connection.close();
            return;
        }
        final Decoding d = decoding.get();
        d.buffer.wrap(frame.body(), 0, length);
        final RpcRequestHeaderDecoder header = d.decoder.wrap(d.buffer, 0);
        final int correlationId = header.correlationId();
        if (length < RpcRequestHeaderEncoder.ENCODED_LENGTH)
        {
            RpcRequest.respond(frame, correlationId, RpcError.INVALID_REQUEST.code(), Send.builder().build());
            return;
        }
        final short apiKey = header.apiKey();
        final short apiVersion = header.apiVersion();
        d.buffer.wrap(0, 0);
        final RpcHandler handler = apiKey >= 0 && apiKey < handlers.length ? handlers[apiKey] : null;
        if (null == handler)
        {
            RpcRequest.respond(frame, correlationId, RpcError.UNSUPPORTED_API_KEY.code(), Send.builder().build());
            return;
        }
        if (apiVersion < minVersions[apiKey] || apiVersion > maxVersions[apiKey])
        {
            RpcRequest.respond(frame, correlationId, RpcError.UNSUPPORTED_VERSION.code(), Send.builder().build());
            return;
        }
        final RpcRequest request = new RpcRequest(frame, correlationId, apiKey, apiVersion);
        try
        {
            handler.onRequest(request);
        }
        catch (final RuntimeException ex)
        {
            EventLoop.LOG.log(System.Logger.Level.WARNING, "RPC handler failed for " + LogText.escape(request), LogText.safe(ex));
            if (!request.isCompleted())
            {
                RpcRequest.respond(frame, correlationId, RpcError.UNKNOWN_SERVER_ERROR.code(), Send.builder().build());
            }
        }
    }

    private static final class Decoding
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
        final RpcRequestHeaderDecoder decoder = new RpcRequestHeaderDecoder();
    }

    /**
     * Registers API handlers.
     */
    public static final class Builder
    {
        private RpcHandler[] handlers = new RpcHandler[0];
        private short[] minVersions = new short[0];
        private short[] maxVersions = new short[0];
        private FrameHandler connectionListener;

        Builder()
        {
        }

        /**
         * @param apiKey     API key in [0, {@link #MAX_API_KEY}], not yet registered.
         * @param minVersion lowest version served, in [0, 32767].
         * @param maxVersion highest version served, in [minVersion, 32767].
         * @param handler    serves the requests.
         * @return this.
         * @throws IllegalArgumentException on a bad range or a duplicate key.
         */
        public Builder register(final int apiKey, final int minVersion, final int maxVersion, final RpcHandler handler)
        {
            Objects.requireNonNull(handler, "handler");
            if (apiKey < 0 || apiKey > MAX_API_KEY)
            {
                throw new IllegalArgumentException("apiKey=" + apiKey + " is out of range [0, " + MAX_API_KEY + "]");
            }
            if (minVersion < 0 || maxVersion < minVersion || maxVersion > Short.MAX_VALUE)
            {
                throw new IllegalArgumentException("versions [" + minVersion + ", " + maxVersion + "] of apiKey=" +
                    apiKey + " must satisfy 0 <= min <= max <= " + Short.MAX_VALUE);
            }
            if (apiKey >= handlers.length)
            {
                handlers = java.util.Arrays.copyOf(handlers, apiKey + 1);
                minVersions = java.util.Arrays.copyOf(minVersions, apiKey + 1);
                maxVersions = java.util.Arrays.copyOf(maxVersions, apiKey + 1);
            }
            if (null != handlers[apiKey])
            {
                throw new IllegalArgumentException("apiKey=" + apiKey + " is already registered");
            }
            handlers[apiKey] = handler;
            minVersions[apiKey] = (short)minVersion;
            maxVersions[apiKey] = (short)maxVersion;
            return this;
        }

        /**
         * @param listener told of connection opens and closes (its {@code onFrame} is never called); null for none.
         * @return this.
         */
        public Builder connectionListener(final FrameHandler listener)
        {
            connectionListener = listener;
            return this;
        }

        /**
         * @return the dispatcher.
         */
        public RpcServer build()
        {
            return new RpcServer(this);
        }
    }
}
