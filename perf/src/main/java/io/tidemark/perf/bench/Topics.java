package io.tidemark.perf.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.tidemark.replication.controller.TopicConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * Creates and deletes the lab's topics with the Admin API: the flush policy is a topic config
 * ({@code flush.policy} on Tidemark; Kafka's {@code flush.messages} / {@code flush.ms} elsewhere).
 */
final class Topics
{
    static final int PARTITIONS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Topics()
    {
    }

    /**
     * @param policy   a flush policy.
     * @param tidemark whether the cluster takes {@code flush.policy}.
     * @param rf       the replication factor.
     * @return the topic configs.
     */
    static Map<String, String> configs(final String policy, final boolean tidemark, final int rf)
    {
        final Map<String, String> c = new HashMap<>();
        if (rf >= 3)
        {
            c.put(TopicConfigs.MIN_INSYNC_REPLICAS, "2");
        }
        if (tidemark)
        {
            c.put(TopicConfigs.FLUSH_POLICY, policy);
            return c;
        }
        // Kafka has no group commit: batch is closest to flush.messages=1 (a sync per append, before the ack is not promised)
        if (policy.startsWith("messages:"))
        {
            c.put(TopicConfigs.FLUSH_MESSAGES, policy.substring("messages:".length()));
        }
        else if (policy.startsWith("interval:"))
        {
            c.put(TopicConfigs.FLUSH_MS, policy.substring("interval:".length()));
        }
        else if ("batch".equals(policy))
        {
            c.put(TopicConfigs.FLUSH_MESSAGES, "1");
        }
        return c;
    }

    static Admin admin(final String bootstrap)
    {
        final Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "tidemark-bench-admin");
        return Admin.create(p);
    }

    /**
     * Creates the topic and waits until every partition has a leader and a full ISR.
     */
    static void create(final String bootstrap, final String topic, final Cell cell, final boolean tidemark) throws InterruptedException
    {
        try (Admin admin = admin(bootstrap))
        {
            final NewTopic t = new NewTopic(topic, PARTITIONS, (short)cell.replicationFactor())
                .configs(configs(cell.policy(), tidemark, cell.replicationFactor()));
            admin.createTopics(List.of(t)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!healed(admin, topic))
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("topic " + topic + " has partitions without a leader or a full ISR after " + TIMEOUT);
                }
                Thread.sleep(20); // metadata propagation: re-described until led with a full ISR, bounded by the deadline
            }
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("could not create topic " + topic + " (" + cell.label() + "): " + ex.getMessage(), ex);
        }
    }

    /**
     * Waits until every partition has a leader and all its replicas in the ISR (after a restart: the
     * cluster healed), or the timeout passed.
     *
     * @return whether it healed in time.
     */
    static boolean awaitFullIsr(final String bootstrap, final String topic, final Duration timeout) throws InterruptedException
    {
        try (Admin admin = admin(bootstrap))
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline)
            {
                if (healed(admin, topic))
                {
                    return true;
                }
                Thread.sleep(50); // re-described until healed, bounded by the deadline
            }
            return false;
        }
    }

    private static boolean healed(final Admin admin, final String topic) throws InterruptedException
    {
        try
        {
            final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(topic);
            for (final TopicPartitionInfo p : d.partitions())
            {
                if (p.leader() == null || p.leader().isEmpty() || p.isr().size() < p.replicas().size())
                {
                    return false;
                }
            }
            return !d.partitions().isEmpty();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            return false;
        }
    }

    /**
     * Deletes the topic, best effort (the lab's next topic does not depend on it).
     */
    static void delete(final String bootstrap, final String topic)
    {
        try (Admin admin = admin(bootstrap))
        {
            admin.deleteTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            System.getLogger(Topics.class.getName()).log(System.Logger.Level.WARNING, "could not delete topic " + topic + ": " + ex);
        }
    }
}
