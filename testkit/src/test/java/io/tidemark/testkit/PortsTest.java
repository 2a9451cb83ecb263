package io.tidemark.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A port handed out for a process that has not bound it yet must not be taken by a listener this JVM opens
 * meanwhile (a fault proxy did exactly that once: the broker it was meant for failed with "Address already in
 * use").
 */
@Tag(Tags.INTEGRATION)
class PortsTest
{
    @Test
    void shouldSkipAPortHandedOutButNotYetBoundAndCloseWhatItSkipped() throws IOException
    {
        final int handedOut = Ports.freePort();
        final List<ServerSocket> offered = new ArrayList<>();
        // the kernel's choice, made deterministic: first the handed-out port (closed, so bindable), then any
        final int[] ports = {handedOut, 0};
        final int listenerPort;
        try (ServerSocket listener = Ports.bindAvoidingHandedOut(() ->
        {
            final ServerSocket s = new ServerSocket();
            s.bind(Ports.loopback(ports[offered.size()]));
            offered.add(s);
            return s;
        }))
        {
            assertEquals(2, offered.size());
            assertNotEquals(handedOut, listener.getLocalPort());
            assertTrue(offered.get(0).isClosed(), "the skipped socket is released");
            assertFalse(listener.isClosed());
            listenerPort = listener.getLocalPort();
        }

        // the listener's port now counts as handed out: offered again once it is closed, it is refused as well
        final List<Integer> secondRound = new ArrayList<>();
        try (ServerSocket again = Ports.bindAvoidingHandedOut(() ->
        {
            final ServerSocket s = new ServerSocket();
            s.bind(Ports.loopback(secondRound.isEmpty() ? listenerPort : 0));
            secondRound.add(s.getLocalPort());
            return s;
        }))
        {
            assertEquals(List.of(listenerPort, again.getLocalPort()), secondRound);
            assertNotEquals(listenerPort, again.getLocalPort());
        }
    }

    @Test
    void shouldNeverBindAListenerOnAPortHandedOutForAProcessThatHasNotStartedYet() throws IOException
    {
        final Set<Integer> handedOut = new HashSet<>();
        for (final int port : Ports.freePorts(64))
        {
            handedOut.add(port);
        }
        final List<ServerSocket> listeners = new ArrayList<>();
        try
        {
            for (int i = 0; i < 64; i++)
            {
                final ServerSocket listener = Ports.bindListener(true, 16);
                listeners.add(listener);
                assertFalse(handedOut.contains(listener.getLocalPort()), "listener on handed-out port " + listener.getLocalPort());
                assertEquals(new InetSocketAddress(Ports.loopback(0).getAddress(), listener.getLocalPort()),
                    listener.getLocalSocketAddress());
            }
            for (final int port : Ports.freePorts(16))
            {
                assertTrue(listeners.stream().noneMatch(l -> l.getLocalPort() == port), "handed out a listener's port " + port);
            }
        }
        finally
        {
            for (final ServerSocket s : listeners)
            {
                s.close();
            }
        }
    }
}
