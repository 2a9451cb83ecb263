package io.tidemark.transport;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.tidemark.transport.Loopback.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class UdpChannelTest
{
    private final List<byte[]> received = new CopyOnWriteArrayList<>();
    private final List<InetSocketAddress> senders = new CopyOnWriteArrayList<>();
    private UdpChannel a;
    private UdpChannel b;

    @AfterEach
    void tearDown()
    {
        if (null != a)
        {
            a.close();
        }
        if (null != b)
        {
            b.close();
        }
    }

    private DatagramHandler recording()
    {
        return (sender, payload) ->
        {
            final byte[] copy = new byte[payload.remaining()];
            payload.get(copy);
            received.add(copy);
            senders.add(sender);
        };
    }

    @Test
    void shouldPingPongDatagramsBetweenTwoChannels()
    {
        final TransportConfig config = TransportConfig.defaults();
        final UdpChannel[] echo = new UdpChannel[1];
        b = UdpChannel.open(config, Loopback.ephemeral(), (sender, payload) -> echo[0].send(payload, sender));
        echo[0] = b;
        a = UdpChannel.open(config, Loopback.ephemeral(), recording());

        for (int i = 0; i < 10; i++)
        {
            assertEquals(4, a.send(ByteBuffer.allocate(4).putInt(0, i), new InetSocketAddress("127.0.0.1", b.port())));
            final int expected = i + 1;
            awaitTrue("echo " + i, () -> received.size() == expected);
            assertEquals(i, ByteBuffer.wrap(received.get(i)).getInt());
        }
        assertEquals(b.port(), senders.get(0).getPort());
        assertEquals(10, a.counters().get(Counter.DATAGRAMS_SENT));
        assertEquals(10, a.counters().get(Counter.DATAGRAMS_RECEIVED));
        assertEquals(10, b.counters().get(Counter.DATAGRAMS_RECEIVED));
    }

    @Test
    void shouldRefuseToSendMoreThanMaxDatagramBytes()
    {
        a = UdpChannel.open(TransportConfig.builder().maxDatagramBytes(100).build(), Loopback.ephemeral(), recording());
        final ByteBuffer payload = ByteBuffer.allocate(101);

        assertEquals(UdpChannel.TOO_LARGE, a.send(payload, new InetSocketAddress("127.0.0.1", a.port())));
        assertEquals(0, payload.position());
    }

    @Test
    void shouldDropOversizedIncomingDatagramsAndKeepReceiving() throws Exception
    {
        a = UdpChannel.open(TransportConfig.builder().maxDatagramBytes(1000).build(), Loopback.ephemeral(), recording());
        try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            final InetSocketAddress target = new InetSocketAddress("127.0.0.1", a.port());
            raw.send(new DatagramPacket(new byte[1001], 1001, target));
            raw.send(new DatagramPacket(new byte[1000], 1000, target));
            raw.send(new DatagramPacket(new byte[]{ 7 }, 1, target));

            awaitTrue("two delivered", () -> received.size() == 2);
            assertEquals(1, a.counters().get(Counter.DATAGRAMS_OVERSIZED));
            assertEquals(1000, received.get(0).length);
            assertArrayEquals(new byte[]{ 7 }, received.get(1));
        }
    }

    @Test
    void shouldSurviveAThrowingHandler() throws Exception
    {
        final List<Integer> seen = new CopyOnWriteArrayList<>();
        a = UdpChannel.open(TransportConfig.defaults(), Loopback.ephemeral(), (sender, payload) ->
        {
            seen.add((int)payload.get(0));
            if (payload.get(0) == 1)
            {
                throw new IllegalStateException("bug");
            }
        });
        try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            final InetSocketAddress target = new InetSocketAddress("127.0.0.1", a.port());
            raw.send(new DatagramPacket(new byte[]{ 1 }, 1, target));
            raw.send(new DatagramPacket(new byte[]{ 2 }, 1, target));

            awaitTrue("both seen", () -> seen.size() == 2);
            assertEquals(1, a.counters().get(Counter.HANDLER_ERRORS));
        }
    }

    @Test
    void shouldReturnClosedAfterCloseAndRefuseCloseFromItsOwnThread()
    {
        final List<Throwable> thrown = new CopyOnWriteArrayList<>();
        final UdpChannel[] self = new UdpChannel[1];
        a = UdpChannel.open(TransportConfig.defaults(), Loopback.ephemeral(), (sender, payload) ->
        {
            try
            {
                self[0].close();
            }
            catch (final IllegalStateException ex)
            {
                thrown.add(ex);
            }
        });
        self[0] = a;
        a.send(ByteBuffer.allocate(1), new InetSocketAddress("127.0.0.1", a.port()));
        awaitTrue("refused", () -> thrown.size() == 1);

        a.close();

        assertEquals(UdpChannel.CLOSED, a.send(ByteBuffer.allocate(1), new InetSocketAddress("127.0.0.1", a.port())));
        a.close();
    }

    @Test
    void shouldRejectOutOfRangeMaxDatagramBytes()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> TransportConfig.builder().maxDatagramBytes(65_508).build());
        assertTrue(ex.getMessage().startsWith("maxDatagramBytes=65508 is out of range [1, 65507]"), ex.getMessage());
    }
}
