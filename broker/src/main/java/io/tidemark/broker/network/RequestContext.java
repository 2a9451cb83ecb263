package io.tidemark.broker.network;

import java.net.InetSocketAddress;

import io.tidemark.transport.Connection;
import io.tidemark.transport.InboundFrame;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One request being handled: where it came from and its header.
 *
 * @param connection   the client connection.
 * @param frame        the request frame (its body is valid until released or answered).
 * @param header       the parsed request header.
 * @param listenerName the listener it arrived on (metadata answers with that listener's addresses).
 */
public record RequestContext(Connection connection, InboundFrame frame, RequestHeader header, String listenerName)
{
    /**
     * @return the API.
     */
    public ApiKeys api()
    {
        return header.apiKey();
    }

    /**
     * @return the request's version.
     */
    public short version()
    {
        return header.apiVersion();
    }

    /**
     * @return the client id ("" when none).
     */
    public String clientId()
    {
        return header.clientId();
    }

    /**
     * @return the client's address.
     */
    public InetSocketAddress clientAddress()
    {
        return connection.remoteAddress();
    }

    /**
     * Returns the request bytes to the memory budget early (the parsed request must not reference them
     * any more), e.g. before a long poll.
     */
    public void releaseRequestBytes()
    {
        frame.release();
    }
}
