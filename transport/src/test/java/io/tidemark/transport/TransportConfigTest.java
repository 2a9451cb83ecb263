package io.tidemark.transport;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransportConfigTest
{
    @Test
    void shouldHoldDocumentedDefaults()
    {
        final TransportConfig config = TransportConfig.defaults();

        assertEquals(1, config.selectorThreads());
        assertEquals(10_000, config.maxConnections());
        assertEquals(100 * 1024 * 1024, config.maxFrameBytes());
        assertEquals(256L * 1024 * 1024, config.maxQueuedRequestBytes());
        assertEquals(16, config.maxInFlightRequestsPerConnection());
        assertEquals(64L * 1024 * 1024, config.maxQueuedSendBytes());
        assertEquals(600_000, config.connectionsMaxIdleMs());
        assertEquals(30_000, config.frameReadTimeoutMs());
        assertEquals(Integer.MAX_VALUE, config.maxConnectionsPerIp());
        assertTrue(config.maxConnectionsPerIpOverrides().isEmpty());
        assertEquals(30_000, config.requestTimeoutMs());
        assertEquals(10_000, config.connectTimeoutMs());
        assertTrue(config.tcpNoDelay());
        assertEquals(config, config.toBuilder().build());
    }

    @Test
    void shouldNameKnobValueAndRangeWhenOutOfRange()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> TransportConfig.builder().maxFrameBytes(0).build());

        assertEquals("maxFrameBytes=0 is out of range [8, " + TransportConfig.MAX_FRAME_BYTES_LIMIT + "]",
            ex.getMessage());
    }

    @Test
    void shouldRejectEveryOutOfRangeKnob()
    {
        assertRejected("selectorThreads=0", TransportConfig.builder().selectorThreads(0));
        assertRejected("selectorThreads=65", TransportConfig.builder().selectorThreads(65));
        assertRejected("maxConnections=0", TransportConfig.builder().maxConnections(0));
        assertRejected("maxFrameBytes=-1", TransportConfig.builder().maxFrameBytes(-1));
        assertRejected("maxInFlightRequestsPerConnection=0",
            TransportConfig.builder().maxInFlightRequestsPerConnection(0));
        assertRejected("maxQueuedSendBytes=0", TransportConfig.builder().maxQueuedSendBytes(0));
        assertRejected("connectionsMaxIdleMs=0", TransportConfig.builder().connectionsMaxIdleMs(0));
        assertRejected("requestTimeoutMs=-5", TransportConfig.builder().requestTimeoutMs(-5));
        assertRejected("connectTimeoutMs=0", TransportConfig.builder().connectTimeoutMs(0));
        assertRejected("socketSendBufferBytes=-1", TransportConfig.builder().socketSendBufferBytes(-1));
        assertRejected("socketReceiveBufferBytes=-1", TransportConfig.builder().socketReceiveBufferBytes(-1));
        assertRejected("nanoClock=null", TransportConfig.builder().nanoClock(null));
        assertRejected("frameReadTimeoutMs=0", TransportConfig.builder().frameReadTimeoutMs(0));
        assertRejected("maxConnectionsPerIp=-1", TransportConfig.builder().maxConnectionsPerIp(-1));
        assertRejected("maxConnectionsPerIpOverrides[127.0.0.1]=-2", TransportConfig.builder()
            .maxConnectionsPerIpOverrides(java.util.Map.of(java.net.InetAddress.getLoopbackAddress(), -2)));
    }

    @Test
    void shouldRejectRequestBudgetSmallerThanOneFrame()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> TransportConfig.builder().maxFrameBytes(1024).maxQueuedRequestBytes(1023).build());

        assertEquals("maxQueuedRequestBytes=1023 is out of range [1024, " + Long.MAX_VALUE + "]", ex.getMessage());
    }

    private static void assertRejected(final String prefix, final TransportConfig.Builder builder)
    {
        final ConfigException ex = assertThrows(ConfigException.class, builder::build);
        assertTrue(ex.getMessage().startsWith(prefix), ex.getMessage());
        assertTrue(ex instanceof IllegalArgumentException);
    }
}
