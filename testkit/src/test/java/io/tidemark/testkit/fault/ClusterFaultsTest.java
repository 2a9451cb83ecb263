package io.tidemark.testkit.fault;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Ports;
import io.tidemark.testkit.Tags;
import io.tidemark.testkit.net.LinkMode;
import io.tidemark.testkit.net.ProxyNetwork;
import io.tidemark.testkit.process.ProcessCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each process and network fault kind does what it says to real child processes and proxy links, and heals. */
@Tag(Tags.INTEGRATION)
@ExtendWith(NoLeakedThreads.class)
class ClusterFaultsTest
{
    @TempDir
    Path dir;

    private static long append(final ProcessCluster.Node node, final long value) throws Exception
    {
        try (ToyLog.Client c = new ToyLog.Client(Ports.loopback(ToyLog.port(node)), 5_000))
        {
            return c.append(value);
        }
    }

    @Test
    void shouldCarryOutAndHealEveryProcessAndNetworkKind() throws Exception
    {
        try (ProcessCluster cluster = ToyLog.cluster(dir); ProxyNetwork net = new ProxyNetwork())
        {
            final ProcessCluster.Node n1 = ToyLog.addNode(cluster, "n1", true);
            final ProcessCluster.Node n2 = ToyLog.addNode(cluster, "n2", true);
            net.addServer("n1", Ports.loopback(ToyLog.port(n1)));
            net.addServer("n2", Ports.loopback(ToyLog.port(n2)));
            net.addClient("client");
            cluster.startAll();
            final List<String> clockJumps = new ArrayList<>();
            final ClusterFaults faults = new ClusterFaults(cluster, net)
                .resolver(name -> "leader".equals(name) ? "n2" : name)
                .on(FaultKind.CLOCK_JUMP, new FaultInjector()
                {
                    @Override
                    public void start(final Fault fault)
                    {
                        clockJumps.add("start " + fault.target());
                    }

                    @Override
                    public void heal(final Fault fault)
                    {
                        clockJumps.add("heal " + fault.target());
                    }
                });

            // KILL: gone, then back with its data
            assertEquals(0, append(n1, 5));
            final long pid = n1.pid();
            final Fault kill = new Fault(FaultKind.KILL, "n1", 0, 1);
            faults.start(kill);
            assertFalse(cluster.isAlive("n1"));
            assertEquals(137, n1.lastExitCode());
            faults.heal(kill);
            assertNotEquals(pid, n1.pid());
            assertEquals(1, append(n1, 6), "fsynced data survived kill -9");

            // KILL_TWO and BOUNCE
            final Fault killTwo = new Fault(FaultKind.KILL_TWO, "n1,n2", 0, 1);
            faults.start(killTwo);
            assertFalse(cluster.isAlive("n1") || cluster.isAlive("n2"));
            faults.heal(killTwo);
            assertTrue(cluster.isAlive("n1") && cluster.isAlive("n2"));
            final Fault bounce = new Fault(FaultKind.BOUNCE, "n2", 0, 1);
            faults.start(bounce);
            assertEquals(143, n2.lastExitCode());
            faults.heal(bounce);
            assertTrue(cluster.isAlive("n2"));

            // PAUSE through a symbolic target
            final Fault pause = new Fault(FaultKind.PAUSE, "leader", 0, 1);
            faults.start(pause);
            assertEquals(ProcessCluster.State.PAUSED, n2.state());
            faults.heal(pause);
            assertEquals(ProcessCluster.State.RUNNING, n2.state());

            // WIPE: back, empty
            final Fault wipe = new Fault(FaultKind.WIPE, "n1", 0, 1);
            faults.start(wipe);
            assertFalse(cluster.isAlive("n1"));
            assertFalse(Files.exists(n1.dataDir().resolve("log.bin")));
            faults.heal(wipe);
            assertEquals(0, append(n1, 7), "a wiped node starts from an empty log");

            // network kinds set the right links and heal back to PASS
            assertLinks(faults, net, new Fault(FaultKind.ISOLATE, "n1", 0, 1), LinkMode.blackhole(),
                List.of("n1->n2", "n2->n1", "client->n1"), List.of("client->n2"));
            assertLinks(faults, net, new Fault(FaultKind.PARTITION, "n1|n2", 0, 1), LinkMode.blackhole(),
                List.of("n1->n2", "n2->n1"), List.of("client->n1", "client->n2"));
            assertLinks(faults, net, new Fault(FaultKind.LINK_DELAY, "n2", 0, 1), LinkMode.delay(200),
                List.of("n1->n2", "n2->n1", "client->n2"), List.of("client->n1"));
            assertLinks(faults, net, new Fault(FaultKind.DROP_RESPONSES, "n2", 0, 1), LinkMode.dropResponses(),
                List.of("n1->n2", "client->n2"), List.of("n2->n1", "client->n1"));
            assertLinks(faults, net, new Fault(FaultKind.REFUSE, "n1", 0, 1), LinkMode.refuse(),
                List.of("n2->n1", "client->n1"), List.of("n1->n2", "client->n2"));
            assertLinks(faults, net, new Fault(FaultKind.LINK_RESET, "n1", 0, 1), LinkMode.reset(),
                List.of("n1->n2", "n2->n1", "client->n1"), List.of("client->n2"));

            // a kind with a registered handler is delegated; one without is refused
            final Fault jump = new Fault(FaultKind.CLOCK_JUMP, "n1", 0, 1);
            faults.start(jump);
            faults.heal(jump);
            assertEquals(List.of("start n1", "heal n1"), clockJumps);
            assertFalse(faults.supports(FaultKind.POWER_LOSS_ALL));
            assertThrows(UnsupportedOperationException.class,
                () -> faults.start(new Fault(FaultKind.POWER_LOSS_ALL, "n1,n2", 0, 1)));
        }
    }

    private static void assertLinks(final ClusterFaults faults, final ProxyNetwork net, final Fault fault,
        final LinkMode mode, final List<String> cut, final List<String> untouched) throws Exception
    {
        faults.start(fault);
        for (final String link : cut)
        {
            final String[] ends = link.split("->");
            assertEquals(mode, net.link(ends[0], ends[1]).mode(), fault + " on " + link);
        }
        for (final String link : untouched)
        {
            final String[] ends = link.split("->");
            assertEquals(LinkMode.pass(), net.link(ends[0], ends[1]).mode(), fault + " must not touch " + link);
        }
        faults.heal(fault);
        for (final String link : cut)
        {
            final String[] ends = link.split("->");
            assertEquals(LinkMode.pass(), net.link(ends[0], ends[1]).mode(), "healed " + link);
        }
    }
}
