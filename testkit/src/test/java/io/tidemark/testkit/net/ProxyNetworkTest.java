package io.tidemark.testkit.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class ProxyNetworkTest
{
    private static boolean echoes(final InetSocketAddress address) throws IOException
    {
        try (Socket s = new Socket())
        {
            s.connect(address, 2000);
            s.setSoTimeout(300);
            s.getOutputStream().write(7);
            return s.getInputStream().read() == 7;
        }
        catch (final SocketTimeoutException e)
        {
            return false;
        }
    }

    @Test
    void shouldBuildFullMeshOfDirectedLinks() throws Exception
    {
        try (EchoServer b1 = new EchoServer(); EchoServer b2 = new EchoServer(); EchoServer b3 = new EchoServer();
             ProxyNetwork net = new ProxyNetwork())
        {
            net.addServer("b1", b1.address());
            net.addServer("b2", b2.address());
            net.addServer("b3", b3.address());
            net.addClient("client");

            assertEquals(3 * 2 + 3, net.links().size(), "6 broker links + 3 client links");
            final Set<Integer> ports = new HashSet<>();
            for (final FaultProxy link : net.links())
            {
                assertTrue(ports.add(link.port()), "one port per directed link");
            }
            assertEquals(b2.address(), net.link("b1", "b2").target());
            assertTrue(echoes(net.address("b1", "b2")));
            assertTrue(echoes(net.address("client", "b3")));
            assertThrows(IllegalArgumentException.class, () -> net.link("b1", "client"), "clients accept nothing");
        }
    }

    @Test
    void shouldPartitionIsolateAndHeal() throws Exception
    {
        try (EchoServer b1 = new EchoServer(); EchoServer b2 = new EchoServer(); EchoServer b3 = new EchoServer();
             ProxyNetwork net = new ProxyNetwork())
        {
            net.addServer("b1", b1.address());
            net.addServer("b2", b2.address());
            net.addServer("b3", b3.address());
            net.addClient("client");

            final List<FaultProxy> cut = net.partition(Set.of("b1"), Set.of("b2", "b3"));

            assertEquals(4, cut.size());
            assertTrue(!echoes(net.address("b1", "b2")) && !echoes(net.address("b3", "b1")));
            assertTrue(echoes(net.address("b2", "b3")), "the majority side still talks");
            assertTrue(echoes(net.address("client", "b1")), "the client was not in the partition");

            net.heal();
            assertTrue(echoes(net.address("b1", "b2")) && echoes(net.address("b3", "b1")));

            net.isolate("b2");
            assertEquals(LinkMode.blackhole(), net.link("client", "b2").mode());
            assertEquals(LinkMode.blackhole(), net.link("b2", "b3").mode());
            assertEquals(LinkMode.pass(), net.link("b1", "b3").mode());
            assertTrue(!echoes(net.address("client", "b2")));

            net.inbound("b3", LinkMode.dropResponses());
            assertEquals(LinkMode.dropResponses(), net.link("b1", "b3").mode());
            assertEquals(LinkMode.dropResponses(), net.link("client", "b3").mode());

            net.heal();
            for (final FaultProxy link : net.links())
            {
                assertEquals(LinkMode.pass(), link.mode(), link.name());
            }
            assertEquals("all links pass", net.toString());
        }
    }
}
