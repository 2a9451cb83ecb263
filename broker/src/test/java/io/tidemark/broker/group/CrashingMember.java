package io.tidemark.broker.group;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.tidemark.broker.TestBrokers;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A group member in its own JVM, to be killed with {@code kill -9}: it prints {@code ASSIGNED n} after each
 * assignment and polls until killed. Arguments: bootstrap servers, group, topic, session timeout ms.
 */
public final class CrashingMember
{
    private CrashingMember()
    {
    }

    /**
     * @param args bootstrap, group, topic, session timeout.
     */
    public static void main(final String[] args)
    {
        final KafkaConsumer<String, String> c = TestBrokers.consumer(args[0], GroupTestSupport.member(args[1],
            Map.of("session.timeout.ms", args[3])));
        c.subscribe(List.of(args[2]), new ConsumerRebalanceListener()
        {
            @Override
            public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
            {
                System.out.println("REVOKED " + partitions.size());
            }

            @Override
            public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
            {
                System.out.println("ASSIGNED " + c.assignment().size());
                System.out.flush();
            }
        });
        while (true)
        {
            c.poll(Duration.ofMillis(100));
        }
    }
}
