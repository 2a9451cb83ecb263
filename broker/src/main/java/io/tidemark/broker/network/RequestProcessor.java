package io.tidemark.broker.network;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import io.tidemark.transport.InboundFrame;
import io.tidemark.transport.LogText;
import io.tidemark.transport.Send;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * The request path of one frame: header, version check, body, handler, response. Protocol errors follow
 * Kafka's {@code SocketServer}: an unknown API key, an API or version not accepted, or a malformed header or
 * body closes the connection (logged with the reason; Kafka sends no error response there). The one
 * exception is ApiVersions newer than known (KIP-511), answered as v0 with UNSUPPORTED_VERSION.
 */
public final class RequestProcessor
{
    private static final System.Logger LOG = System.getLogger(RequestProcessor.class.getName());

    private final ApiVersionTable versions;
    private final Map<ApiKeys, ApiHandler> handlers;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closing;
    private volatile RequestObserver observer;

    /**
     * @param versions the advertised versions.
     * @param handlers a handler for every advertised API except ApiVersions.
     */
    public RequestProcessor(final ApiVersionTable versions, final Map<ApiKeys, ApiHandler> handlers)
    {
        this.versions = versions;
        this.handlers = new EnumMap<>(handlers);
        for (final ApiKeys api : versions.ranges().keySet())
        {
            if (api != ApiKeys.API_VERSIONS && !this.handlers.containsKey(api))
            {
                throw new IllegalArgumentException("advertised " + api + " has no handler");
            }
        }
    }

    /**
     * @param v told the timings of every answered request from now on (the broker's request metrics).
     */
    public void observer(final RequestObserver v)
    {
        observer = v;
    }

    /**
     * @return the advertised versions.
     */
    public ApiVersionTable versions()
    {
        return versions;
    }

    /**
     * Stops taking requests: from now on a new request closes its connection (clients retry elsewhere).
     * Requests already taken still complete.
     */
    public void beginShutdown()
    {
        closing = true;
    }

    /**
     * @return requests taken and not yet answered.
     */
    public int inFlight()
    {
        return inFlight.get();
    }

    /**
     * Handles one frame; the response (if any) is sent when the handler completes.
     *
     * @param session the connection's session.
     * @param frame   the frame.
     */
    public void process(final ConnectionSession session, final InboundFrame frame)
    {
        inFlight.incrementAndGet();
        try
        {
            if (closing)
            {
                close(session, frame, "the broker is shutting down");
                return;
            }
            processFrame(session, frame);
        }
        catch (final RuntimeException ex)
        {
            // every known failure is answered or closes the connection inside; keep the count right regardless
            close(session, frame, "request processing failed: " + ex);
            throw ex;
        }
    }

    private void processFrame(final ConnectionSession session, final InboundFrame frame)
    {
        final ByteBuffer body = frame.body();
        if (body.remaining() < 4)
        {
            close(session, frame, "request of " + body.remaining() + " bytes is too short for a header");
            return;
        }
        final short rawKey = body.getShort(body.position());
        final short rawVersion = body.getShort(body.position() + 2);
        final RequestHeader header;
        try
        {
            header = RequestHeader.parse(body);
        }
        catch (final RuntimeException ex)
        {
            close(session, frame, (ApiKeys.hasId(rawKey) ? "malformed request header of " + ApiKeys.forId(rawKey) + " v" + rawVersion :
                "unknown API key " + rawKey + " (version " + rawVersion + ")") + ": " + ex.getMessage());
            return;
        }
        final ApiKeys api = header.apiKey();
        final short version = header.apiVersion();
        final RequestContext context = new RequestContext(session.connection(), frame, header, session.listenerName());
        final RequestObserver o = observer;
        final RequestTiming timing = o == null ? null : new RequestTiming(o, api, frame.receivedNs(), System.nanoTime());
        if (api == ApiKeys.API_VERSIONS && !versions.accepts(api, version))
        {
            send(context, (short)0, versions.unsupportedVersionResponse(), List.of(), timing);
            return;
        }
        if (!versions.accepts(api, version))
        {
            final ApiVersionTable.Range r = versions.range(api);
            close(session, frame, api + " v" + version + " from client " + header.clientId() + " is not supported" +
                (r == null ? " (API not offered)" : " (accepted versions " + r.acceptedMin() + " to " + r.max() + ")"));
            return;
        }
        final AbstractRequest request;
        try
        {
            request = AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(body)).request;
        }
        catch (final RuntimeException ex)
        {
            close(session, frame, "malformed " + api + " v" + version + " request from client " + header.clientId() + ": " + ex);
            return;
        }
        if (api == ApiKeys.API_VERSIONS)
        {
            apiVersions(context, (ApiVersionsRequest)request, timing);
            return;
        }
        final CompletionStage<Response> stage;
        try
        {
            stage = handlers.get(api).handle(context, request);
        }
        catch (final RuntimeException ex)
        {
            failed(context, request, ex, timing);
            return;
        }
        if (timing != null)
        {
            timing.handledNs = System.nanoTime();
        }
        stage.whenComplete((response, error) ->
        {
            if (timing != null)
            {
                timing.completedNs = System.nanoTime();
            }
            if (error != null)
            {
                failed(context, request, error, timing);
            }
            else
            {
                complete(context, response, timing);
            }
        });
    }

    private void apiVersions(final RequestContext context, final ApiVersionsRequest request, final RequestTiming timing)
    {
        final ApiVersionsResponseData data;
        if (context.version() >= 3 && !request.isValid())
        {
            data = new ApiVersionsResponseData().setErrorCode(Errors.INVALID_REQUEST.code());
        }
        else
        {
            data = versions.response();
        }
        send(context, context.version(), data, List.of(), timing);
    }

    private void complete(final RequestContext context, final Response response, final RequestTiming timing)
    {
        if (response.closeReason() != null)
        {
            finish(context.frame(), null);
            closeConnection(context, response.closeReason());
        }
        else if (response.body() == null)
        {
            finish(context.frame(), null);
        }
        else
        {
            send(context, context.version(), response.body(), response.resources(), timing);
        }
    }

    private void failed(final RequestContext context, final AbstractRequest request, final Throwable error, final RequestTiming timing)
    {
        final Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        final Errors mapped = Errors.forException(cause);
        if (mapped == Errors.UNKNOWN_SERVER_ERROR)
        {
            LOG.log(System.Logger.Level.WARNING, "handling " + context.api() + " v" + context.version() + " from " +
                context.clientAddress() + " failed", LogText.safe(cause));
        }
        final ApiMessage body;
        try
        {
            body = request.getErrorResponse(0, cause).data();
        }
        catch (final RuntimeException ex)
        {
            ex.addSuppressed(cause);
            finish(context.frame(), null);
            closeConnection(context, "cannot build the error response of " + context.api() + ": " + ex);
            return;
        }
        send(context, context.version(), body, List.of(), timing);
    }

    private void send(final RequestContext context, final short version, final ApiMessage body,
        final List<? extends AutoCloseable> resources, final RequestTiming timing)
    {
        final Send send;
        try
        {
            send = ResponseEncoder.encode(context.api(), version, context.header().correlationId(), body, resources, timing);
        }
        catch (final RuntimeException ex)
        {
            try
            {
                ResponseEncoder.closeAll(resources);
            }
            catch (final RuntimeException closing)
            {
                ex.addSuppressed(closing);
            }
            LOG.log(System.Logger.Level.ERROR, "cannot encode the " + context.api() + " v" + version + " response", LogText.safe(ex));
            finish(context.frame(), null);
            closeConnection(context, "cannot encode the " + context.api() + " v" + version + " response: " + ex);
            return;
        }
        if (timing != null)
        {
            timing.respondedNs = System.nanoTime();
        }
        finish(context.frame(), send);
    }

    /**
     * Completes a frame exactly once: with a response, or without one.
     */
    private void finish(final InboundFrame frame, final Send send)
    {
        try
        {
            if (send != null)
            {
                frame.respond(send);
            }
            else
            {
                frame.noResponse();
            }
        }
        finally
        {
            inFlight.decrementAndGet();
        }
    }

    private void close(final ConnectionSession session, final InboundFrame frame, final String reason)
    {
        try
        {
            finish(frame, null);
        }
        catch (final IllegalStateException alreadyCompleted)
        {
            inFlight.incrementAndGet(); // it was counted down by the completion that happened first
        }
        LOG.log(System.Logger.Level.INFO, "closing connection " + session.connection().id() + " from " +
            session.connection().remoteAddress() + ": " + LogText.escape(reason));
        session.connection().close();
    }

    private static void closeConnection(final RequestContext context, final String reason)
    {
        LOG.log(System.Logger.Level.INFO, "closing connection " + context.connection().id() + " from " + context.clientAddress() +
            ": " + LogText.escape(reason));
        context.connection().close();
    }
}
