package io.tidemark.perf.bench;

import java.util.List;
import java.util.Random;

import io.tidemark.engine.PowerCut;

/**
 * Any Kafka-API cluster (Tidemark, Apache Kafka, Redpanda) at a bootstrap address: the same workload, no
 * power cuts.
 */
final class ExternalBenchCluster implements BenchCluster
{
    private final String bootstrap;
    private final int brokers;

    ExternalBenchCluster(final String bootstrap, final int brokers)
    {
        this.bootstrap = bootstrap;
        this.brokers = brokers;
    }

    @Override
    public String bootstrapServers()
    {
        return bootstrap;
    }

    @Override
    public int brokers()
    {
        return brokers;
    }

    @Override
    public boolean canCutPower()
    {
        return false;
    }

    @Override
    public boolean tidemarkTopicConfigs()
    {
        return false;
    }

    @Override
    public List<PowerCut.Cut> powerCut(final List<Integer> nodes, final Random random)
    {
        throw new UnsupportedOperationException("no power cuts on an external cluster (" + bootstrap + ")");
    }

    @Override
    public void restart(final List<Integer> nodes)
    {
        throw new UnsupportedOperationException("no restarts on an external cluster (" + bootstrap + ")");
    }

    @Override
    public boolean awaitSettled(final String topic, final java.time.Duration timeout) throws InterruptedException
    {
        return Topics.awaitFullIsr(bootstrap, topic, timeout);
    }

    @Override
    public String description()
    {
        return "external: " + brokers + " broker" + (brokers == 1 ? "" : "s") + " at " + bootstrap + " (no power cuts)";
    }

    @Override
    public void close()
    {
        // not ours
    }
}
