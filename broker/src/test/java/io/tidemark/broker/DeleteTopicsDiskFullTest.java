package io.tidemark.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tidemark.engine.storage.FaultyStorage;
import io.tidemark.engine.storage.FileStorage;
import io.tidemark.testkit.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 10 of issue 12: on a full disk DeleteTopics (the operator's way to free space) works, a metadata
 * change that needs space is answered KAFKA_STORAGE_ERROR, and no temporary file is left.
 */
@Tag(Tags.INTEGRATION)
class DeleteTopicsDiskFullTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDeleteTopicsOnAFullDiskAndAnswerKafkaStorageErrorForGrowth() throws Exception
    {
        final Path logs = dir.resolve("logs");
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, 11);
        try (Broker broker = Broker.builder(TestBrokers.config(logs, Map.of())).storage(storage).start();
            Admin admin = TestBrokers.admin(broker))
        {
            admin.createTopics(List.of(new NewTopic("doomed", 2, (short)1), new NewTopic("kept", 1, (short)1))).all().get(30, TimeUnit.SECONDS);
            storage.spaceLeft(0);
            admin.deleteTopics(List.of("doomed")).all().get(30, TimeUnit.SECONDS);
            assertEquals(java.util.Set.of("kept"), admin.listTopics().names().get(30, TimeUnit.SECONDS));
            final ExecutionException ex = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("grown", 2000, (short)1))).all().get(30, TimeUnit.SECONDS));
            assertInstanceOf(KafkaStorageException.class, ex.getCause(), String.valueOf(ex.getCause()));
        }
        try (Stream<Path> files = Files.walk(logs))
        {
            for (final Path p : files.toList())
            {
                assertFalse(p.getFileName().toString().endsWith(".tmp"), "left behind: " + p);
            }
        }
    }
}
