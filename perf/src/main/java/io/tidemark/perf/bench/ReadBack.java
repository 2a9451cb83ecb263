package io.tidemark.perf.bench;

import java.time.Duration;
import java.util.BitSet;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything a topic holds after a restart, read with a consumer from the beginning to the end offsets.
 *
 * @param records    records read.
 * @param present    ids read.
 * @param duplicates ids read more than once.
 * @param moved      acknowledged ids read at another partition or offset than acknowledged.
 */
record ReadBack(long records, BitSet present, long duplicates, long moved)
{
    static ReadBack read(final String bootstrap, final String topic, final AckLedger ledger, final Duration timeout)
    {
        final BitSet present = new BitSet();
        long records = 0;
        long duplicates = 0;
        long moved = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = Consumers.assignedToAll(bootstrap, topic, timeout))
        {
            final Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), timeout);
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end))
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("read-back of " + topic + " did not reach the end offsets " + end + " in " + timeout);
                }
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)))
                {
                    records++;
                    final long id = Payload.id(r.value());
                    if (id < 0 || id >= Integer.MAX_VALUE)
                    {
                        continue;
                    }
                    if (present.get((int)id))
                    {
                        duplicates++;
                    }
                    present.set((int)id);
                    if (ledger.isAcked(id) && (ledger.partition(id) != r.partition() || ledger.offset(id) != r.offset()))
                    {
                        moved++;
                    }
                }
            }
        }
        return new ReadBack(records, present, duplicates, moved);
    }

    private static boolean reached(final KafkaConsumer<byte[], byte[]> consumer, final Map<TopicPartition, Long> end)
    {
        for (final Map.Entry<TopicPartition, Long> e : end.entrySet())
        {
            if (consumer.position(e.getKey()) < e.getValue())
            {
                return false;
            }
        }
        return true;
    }
}
