package io.tidemark.broker.network;

import java.util.List;

import io.tidemark.transport.Send;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Serializes a response header and body (kafka-clients generated message classes) into a transport
 * {@link Send}; the transport adds the int32 frame length. Records in the body that are
 * {@link FileRegionRecords} become file regions (zero copy); the resources are closed when the send
 * completes or fails.
 */
public final class ResponseEncoder
{
    private ResponseEncoder()
    {
    }

    /**
     * @param api           the API.
     * @param version       the request's version.
     * @param correlationId the request's correlation id.
     * @param body          the response body.
     * @param resources     closed when the send is done (file slices), may be empty.
     * @return the send.
     * @throws RuntimeException if the body cannot be serialized at this version; the resources are then
     *                          still open (the caller closes them).
     */
    public static Send encode(
        final ApiKeys api, final short version, final int correlationId, final ApiMessage body, final List<? extends AutoCloseable> resources)
    {
        return encode(api, version, correlationId, body, resources, null);
    }

    /**
     * As {@link #encode(ApiKeys, short, int, ApiMessage, List)}, and tells {@code sent} when the send is done.
     *
     * @param api           the API.
     * @param version       the request's version.
     * @param correlationId the request's correlation id.
     * @param body          the response body.
     * @param resources     closed when the send is done (file slices), may be empty.
     * @param sent          told after the resources are closed, or null.
     * @return the send.
     */
    public static Send encode(final ApiKeys api, final short version, final int correlationId, final ApiMessage body,
        final List<? extends AutoCloseable> resources, final io.tidemark.transport.SendCompletion sent)
    {
        final short headerVersion = api.responseHeaderVersion(version);
        final ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        final Send.Builder builder = Send.builder();
        final SendWritable writable = new SendWritable(size.sizeExcludingZeroCopy(), builder);
        header.write(writable, cache, headerVersion);
        body.write(writable, cache, version);
        writable.finish();
        if (sent != null)
        {
            builder.onComplete((send, error) ->
            {
                try
                {
                    if (!resources.isEmpty())
                    {
                        closeAll(resources);
                    }
                }
                finally
                {
                    sent.onComplete(send, error);
                }
            });
        }
        else if (!resources.isEmpty())
        {
            builder.onComplete((send, error) -> closeAll(resources));
        }
        final Send send = builder.build();
        if (send.bodyBytes() != size.totalSize())
        {
            throw new IllegalStateException("response of " + send.bodyBytes() + " bytes, declared " + size.totalSize());
        }
        return send;
    }

    /**
     * Closes every resource, keeping the first failure and attaching the others.
     *
     * @param resources the resources.
     */
    public static void closeAll(final List<? extends AutoCloseable> resources)
    {
        RuntimeException first = null;
        for (final AutoCloseable r : resources)
        {
            try
            {
                r.close();
            }
            catch (final Exception ex)
            {
                final RuntimeException wrapped = ex instanceof RuntimeException re ? re : new IllegalStateException(ex);
                if (first == null)
                {
                    first = wrapped;
                }
                else
                {
                    first.addSuppressed(wrapped);
                }
            }
        }
        if (first != null)
        {
            throw first;
        }
    }
}
