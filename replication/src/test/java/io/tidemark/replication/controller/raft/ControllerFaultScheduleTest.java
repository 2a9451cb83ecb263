package io.tidemark.replication.controller.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import io.tidemark.replication.controller.Controller;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.TopicInfo;
import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Randomized fault schedules against a simulated 3-voter quorum with a broker-only client: process
 * crashes, power losses, restarts, partitions, cut links, message loss, while topic operations are
 * issued from random nodes. The simulation checks its invariants after every event (one leader per
 * term, an applied index never changes, equal versions are equal images); at the end every fault is
 * healed and the run checks that the voters converge and that every acknowledged create and delete
 * is in the final metadata.
 */
@Tag(Tags.FAULT)
class ControllerFaultScheduleTest
{
    private record Issued(String topic, boolean create, Controller via, CompletableFuture<?> future)
    {
    }

    static ControllerSim run(final long seed, final int steps)
    {
        final ControllerSim sim = new ControllerSim(seed);
        sim.startAll();
        sim.awaitActive(20_000);
        final ControllerSim.SimClient client = sim.client(100);
        for (int id = 1; id <= 3; id++)
        {
            sim.await(sim.broker(id).register(sim.controller(id), true), 20_000, "registration");
        }
        final List<Issued> issued = new ArrayList<>();
        final Set<String> deleteIssued = new HashSet<>();
        final java.util.Random r = sim.random;
        for (int step = 0; step < steps; step++)
        {
            final int action = r.nextInt(100);
            final List<ControllerSim.SimNode> up = new ArrayList<>();
            final List<ControllerSim.SimNode> down = new ArrayList<>();
            for (final ControllerSim.SimNode n : sim.nodes.values())
            {
                (n.up ? up : down).add(n);
            }
            final Controller via = r.nextInt(4) == 0 || up.isEmpty() ? client.controller : up.get(r.nextInt(up.size())).controller;
            if (action < 30)
            {
                final String name = "t" + step;
                issued.add(new Issued(name, true, via, via.createTopic(name, 1 + r.nextInt(3), (short)(1 + r.nextInt(2)), null, Map.of(), false)));
            }
            else if (action < 38)
            {
                final List<String> candidates = new ArrayList<>();
                for (final Issued i : issued)
                {
                    if (i.create && i.future.isDone() && !i.future.isCompletedExceptionally() && !deleteIssued.contains(i.topic))
                    {
                        candidates.add(i.topic);
                    }
                }
                if (!candidates.isEmpty())
                {
                    final String name = candidates.get(r.nextInt(candidates.size()));
                    deleteIssued.add(name);
                    issued.add(new Issued(name, false, via, via.deleteTopic(name)));
                }
            }
            else if (action < 43)
            {
                via.alterConfigs("t" + r.nextInt(step + 1), Map.of("retention.ms", Integer.toString(1000 + step)), false);
            }
            else if (action < 50 && up.size() >= 2)
            {
                final ControllerSim.SimNode victim = r.nextInt(3) == 0 && sim.leader() != null ? sim.leader() : up.get(r.nextInt(up.size()));
                if (r.nextBoolean())
                {
                    victim.crash();
                }
                else
                {
                    victim.powerLoss();
                }
            }
            else if (action < 60 && !down.isEmpty())
            {
                final ControllerSim.SimNode back = down.get(r.nextInt(down.size()));
                back.start();
                sim.broker(back.id).register(back.controller, false);
            }
            else if (action < 66)
            {
                sim.isolate(1 + r.nextInt(3));
            }
            else if (action < 70)
            {
                sim.cut(1 + r.nextInt(3), r.nextBoolean() ? 100 : 1 + r.nextInt(3));
            }
            else if (action < 78)
            {
                sim.heal();
            }
            else if (action < 81)
            {
                sim.dropRate = 0.05;
                sim.log("drop rate 5%");
            }
            else if (action < 85)
            {
                final ControllerSim.SimBroker b = sim.broker(1 + r.nextInt(3));
                b.heartbeating = !b.heartbeating;
                sim.log("broker " + b.id + (b.heartbeating ? " heartbeats again" : " goes silent"));
            }
            else if (action < 89)
            {
                // AlterPartition from whatever a node believes (often stale: then refused)
                final MetadataImage seen = via.image();
                final List<TopicInfo> topics = new ArrayList<>(new TreeMap<>(seen.topics()).values());
                if (!topics.isEmpty())
                {
                    final TopicInfo t = topics.get(r.nextInt(topics.size()));
                    final var p = t.partitions().get(r.nextInt(t.partitions().size()));
                    final List<Integer> isr = new ArrayList<>();
                    final Map<Integer, Long> epochs = new TreeMap<>();
                    for (final int replica : p.replicas())
                    {
                        if (replica == p.leader() || r.nextBoolean())
                        {
                            isr.add(replica);
                            final var broker = seen.brokers().get(replica);
                            epochs.put(replica, broker == null ? -1L : broker.epoch());
                        }
                    }
                    via.alterPartition(t.name(), p.partition(), p.leader(), p.leaderEpoch(), p.partitionEpoch(), isr, epochs);
                }
            }
            else if (action < 91)
            {
                via.electLeaders(r.nextBoolean(), Map.of());
            }
            else if (action < 93)
            {
                // a broker's disk is wiped: it registers with a new incarnation (KIP-903)
                final ControllerSim.SimNode host = up.isEmpty() ? null : up.get(r.nextInt(up.size()));
                if (host != null)
                {
                    final ControllerSim.SimBroker b = sim.broker(host.id);
                    b.incarnation = new java.util.UUID(seed, step);
                    b.register(host.controller, false);
                }
            }
            else if (action < 94)
            {
                final ControllerSim.SimBroker b = sim.broker(1 + r.nextInt(3));
                if (b.epoch > 0)
                {
                    b.heartbeating = false;
                    via.controlledShutdown(b.id, b.epoch);
                }
            }
            sim.runFor(r.nextInt(1_500));
        }
        // heal everything, restart everyone, let every pending call finish
        sim.traceMessages = Boolean.getBoolean("sim.trace.end");
        sim.heal();
        for (final ControllerSim.SimNode n : sim.nodes.values())
        {
            if (!n.up)
            {
                n.start();
                sim.broker(n.id).register(n.controller, false);
            }
        }
        try
        {
            sim.awaitActive(30_000);
        }
        catch (final AssertionError ex)
        {
            final StringBuilder reports = new StringBuilder();
            for (final ControllerSim.SimNode n : sim.nodes.values())
            {
                final var report = n.controller.raftNode().getReport();
                sim.runUntil(report::isDone, 1_000);
                reports.append("\n").append(report.isDone() ? report.join().getResult() : "-");
            }
            throw new AssertionError(ex.getMessage() + reports, ex);
        }
        final List<Issued> settled = new ArrayList<>();
        for (final Issued i : issued)
        {
            // calls made on a node that died never answer (their caller died with it)
            if (callerAlive(sim, i.via))
            {
                sim.runUntil(i.future::isDone, 30_000);
                assertTrue(i.future.isDone(), sim.context() + ": " + (i.create ? "create " : "delete ") + i.topic + " never answered");
                settled.add(i);
            }
        }
        if (!sim.awaitConverged(30_000))
        {
            final StringBuilder reports = new StringBuilder();
            for (final ControllerSim.SimNode n : sim.nodes.values())
            {
                if (n.up)
                {
                    final var report = n.controller.raftNode().getReport();
                    sim.runUntil(report::isDone, 1_000);
                    reports.append("\n").append(report.join().getResult().getLog());
                }
            }
            throw new AssertionError(sim.context() + ": voters did not converge" + reports);
        }
        final MetadataImage image = sim.leader().controller.image();
        final Map<String, String> outcomes = new TreeMap<>();
        for (final Issued i : settled)
        {
            if (i.future.isCompletedExceptionally())
            {
                outcomes.put(i.topic + (i.create ? " create" : " delete"), "failed/unknown");
                continue;
            }
            if (i.create)
            {
                final TopicInfo answered = (TopicInfo)i.future.join();
                if (!deleteIssued.contains(i.topic))
                {
                    final TopicInfo now = image.topics().get(i.topic);
                    assertTrue(now != null && now.id().equals(answered.id()), sim.context() + ": acknowledged topic " + i.topic +
                        " is missing or another one: " + now);
                }
            }
            else
            {
                assertFalse(image.topics().containsKey(i.topic), sim.context() + ": acknowledged delete of " + i.topic + " undone");
            }
        }
        assertTrue(sim.maxCommitted > 0);
        assertTrue(sim.runUntil(() -> image.equals(sim.client(100).controller.image()), 10_000), "the broker-only node follows");
        return sim;
    }

    private static boolean callerAlive(final ControllerSim sim, final Controller via)
    {
        for (final ControllerSim.SimNode n : sim.nodes.values())
        {
            if (n.controller == via)
            {
                return n.up;
            }
        }
        // a controller object of a dead incarnation, or the client (always alive)
        return via instanceof RemoteController;
    }

    @Test
    void shouldKeepTheInvariantsUnderRandomFaultSchedules()
    {
        final long base = Seeds.seed("ControllerFaultScheduleTest.random");
        for (long s = 0; s < 10; s++)
        {
            run(base + s, 150);
        }
    }

    @Test
    @Tag(Tags.SLOW)
    void shouldKeepTheInvariantsUnderManyRandomFaultSchedules()
    {
        final long base = Seeds.seed("ControllerFaultScheduleTest.randomMany");
        for (long s = 0; s < 200; s++)
        {
            run(base + s, 200);
        }
    }
}
