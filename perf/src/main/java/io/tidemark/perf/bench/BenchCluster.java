package io.tidemark.perf.bench;

import java.util.List;
import java.util.Random;

import io.tidemark.engine.PowerCut;

/**
 * What the lab needs of a cluster: where to connect, and (embedded only) cutting the power of some nodes
 * and starting them again on the same directories. The one seam between the lab and how brokers are run:
 * {@link EmbeddedBenchCluster} runs brokers in this JVM, {@link ExternalBenchCluster} points at any
 * Kafka-API cluster.
 */
interface BenchCluster extends AutoCloseable
{
    /**
     * @return bootstrap servers as they are now (they may change across a restart).
     */
    String bootstrapServers();

    /**
     * @return the number of brokers.
     */
    int brokers();

    /**
     * @return whether {@link #powerCut} works here.
     */
    boolean canCutPower();

    /**
     * @return whether topic configs take Tidemark's {@code flush.policy} (else Kafka's flush keys are used).
     */
    boolean tidemarkTopicConfigs();

    /**
     * Cuts the power of the given nodes at once; they stay down until {@link #restart}.
     *
     * @param nodes  node indexes, 0 .. brokers - 1.
     * @param random decides how unsynced pages tear.
     * @return what the cut did to each log of those nodes.
     */
    List<PowerCut.Cut> powerCut(List<Integer> nodes, Random random);

    /**
     * Starts the given nodes again on their directories (recovery runs) and waits until they serve.
     *
     * @param nodes node indexes.
     */
    void restart(List<Integer> nodes);

    /**
     * Waits until the topic has settled after a restart: every partition led, every replica back in the
     * ISR, and (where the cluster can tell) each leader's high watermark at its log end, so a consumer
     * can read everything the cluster still holds.
     *
     * @param topic   the topic.
     * @param timeout the most to wait.
     * @return whether it settled in time.
     * @throws InterruptedException if interrupted.
     */
    boolean awaitSettled(String topic, java.time.Duration timeout) throws InterruptedException;

    /**
     * @return one line for the report, e.g. "embedded: 1 broker on 127.0.0.1, temporary directories".
     */
    String description();

    @Override
    void close();
}
