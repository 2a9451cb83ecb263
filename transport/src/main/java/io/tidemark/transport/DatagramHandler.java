package io.tidemark.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Receives the datagrams of a {@link UdpChannel}, on its selector thread. Must not block.
 */
@FunctionalInterface
public interface DatagramHandler
{
    /**
     * @param sender  where the datagram came from.
     * @param payload the datagram, position 0 to limit; a buffer reused for the next datagram, valid only during
     *                this call: copy what must outlive it.
     */
    void onDatagram(InetSocketAddress sender, ByteBuffer payload);
}
