package io.tidemark.broker.group;

import static io.tidemark.broker.group.GroupTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.tidemark.broker.Broker;
import io.tidemark.testkit.Await;
import io.tidemark.testkit.NoLeakedThreads;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source notes' two consumer cases. Auto-commit commits on a timer, apart from processing: a
 * consumer that crashes after the commit but before processing loses those records (the next member
 * starts after them). Committing manually after processing loses nothing, at the price of duplicates
 * (records processed but not yet committed are processed again), which the test counts.
 */
@Tag(Tags.FAULT)
@ExtendWith(NoLeakedThreads.class)
class CommitSemanticsTest
{
    private static final int RECORDS = 100;
    private static final TopicPartition TP = new TopicPartition("notes", 0);

    @TempDir
    Path dir;

    private static List<String> pollSome(final KafkaConsumer<String, String> c)
    {
        final List<String> got = new ArrayList<>();
        Await.await("a batch of records", WAIT, () ->
        {
            final ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(50));
            records.forEach(r -> got.add(r.value()));
            return !got.isEmpty();
        });
        return got;
    }

    private static Set<String> all()
    {
        final Set<String> all = new TreeSet<>();
        for (int i = 0; i < RECORDS; i++)
        {
            all.add("v-" + i);
        }
        return all;
    }

    private static void readToTheEnd(final Broker broker, final String group, final List<String> processed)
    {
        try (KafkaConsumer<String, String> c = GroupTestSupport.consumer(broker, group, Map.of()))
        {
            c.subscribe(List.of("notes"));
            Await.await("the second member reads to the end", WAIT, () ->
            {
                for (final ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50)))
                {
                    processed.add(r.value());
                }
                return !c.assignment().isEmpty() && c.position(TP) >= RECORDS;
            });
            c.commitSync();
        }
    }

    @Test
    void shouldLoseRecordsCommittedByAutoCommitButNeverProcessed() throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir))
        {
            GroupTestSupport.createTopic(broker, "notes", 1);
            GroupTestSupport.produce(broker, "notes", 1, 0, RECORDS);
            final List<String> processed = new ArrayList<>();
            final List<String> neverProcessed;
            try (KafkaConsumer<String, String> c = GroupTestSupport.consumer(broker, "auto", Map.of("enable.auto.commit", "true",
                "auto.commit.interval.ms", "50", "max.poll.records", "10")))
            {
                c.subscribe(List.of("notes"));
                processed.addAll(pollSome(c));          // processed
                neverProcessed = pollSome(c);            // handed to the application, which crashes before processing them
                final long position = c.position(TP);
                c.pause(c.assignment());
                // the auto-commit timer runs inside poll, whatever the application did with the records
                Await.await("auto-commit of the position past the unprocessed records", WAIT, () ->
                {
                    c.poll(Duration.ofMillis(20));
                    final OffsetAndMetadata committed = c.committed(Set.of(TP)).get(TP);
                    return committed != null && committed.offset() == position;
                });
            }
            readToTheEnd(broker, "auto", processed);
            final Set<String> lost = all();
            lost.removeAll(processed);
            assertFalse(neverProcessed.isEmpty());
            assertEquals(new TreeSet<>(neverProcessed), lost, "exactly the records auto-committed but not processed are lost");
            assertEquals(processed.size(), new HashSet<>(processed).size(), "and nothing was processed twice");
        }
    }

    @Test
    void shouldLoseNothingButRepeatRecordsWhenCommittingAfterProcessing() throws Exception
    {
        try (Broker broker = GroupTestSupport.start(dir))
        {
            GroupTestSupport.createTopic(broker, "notes", 1);
            GroupTestSupport.produce(broker, "notes", 1, 0, RECORDS);
            final List<String> processed = new ArrayList<>();
            final List<String> processedNotCommitted;
            try (KafkaConsumer<String, String> c = GroupTestSupport.consumer(broker, "manual", Map.of("max.poll.records", "10")))
            {
                c.subscribe(List.of("notes"));
                for (int batch = 0; batch < 2; batch++)
                {
                    processed.addAll(pollSome(c));
                    c.commitSync();                       // after processing
                }
                processedNotCommitted = pollSome(c);
                processed.addAll(processedNotCommitted);  // processed, then the crash comes before the commit
            }
            readToTheEnd(broker, "manual", processed);
            final Set<String> lost = all();
            lost.removeAll(processed);
            assertTrue(lost.isEmpty(), "nothing lost: " + lost);
            final int duplicates = processed.size() - new HashSet<>(processed).size();
            assertEquals(processedNotCommitted.size(), duplicates,
                "the records processed but not committed are processed again, and only those");
            assertTrue(duplicates > 0);
        }
    }
}
