package io.tidemark.broker.network;

import java.util.List;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * What a handler decided to do with a request: answer with a body (plus resources to release once the
 * answer is sent), send nothing (acks=0), or close the connection with a reason.
 */
public final class Response
{
    private static final Response NONE = new Response(null, List.of(), null);

    private final ApiMessage body;
    private final List<? extends AutoCloseable> resources;
    private final String closeReason;

    private Response(final ApiMessage body, final List<? extends AutoCloseable> resources, final String closeReason)
    {
        this.body = body;
        this.resources = resources;
        this.closeReason = closeReason;
    }

    /**
     * @param body the response body.
     * @return a response.
     */
    public static Response of(final ApiMessage body)
    {
        return new Response(body, List.of(), null);
    }

    /**
     * @param body      the response body (may reference the resources, e.g. file regions).
     * @param resources closed when the response was sent or failed.
     * @return a response.
     */
    public static Response of(final ApiMessage body, final List<? extends AutoCloseable> resources)
    {
        return new Response(body, List.copyOf(resources), null);
    }

    /**
     * @return no response at all (Kafka's acks=0 produce).
     */
    public static Response none()
    {
        return NONE;
    }

    /**
     * @param reason why, logged.
     * @return close the connection without answering (Kafka's answer to an acks=0 produce error).
     */
    public static Response close(final String reason)
    {
        return new Response(null, List.of(), reason);
    }

    /**
     * @return the body, or null.
     */
    public ApiMessage body()
    {
        return body;
    }

    /**
     * @return resources to release after the send.
     */
    public List<? extends AutoCloseable> resources()
    {
        return resources;
    }

    /**
     * @return why the connection is to be closed, or null.
     */
    public String closeReason()
    {
        return closeReason;
    }
}
