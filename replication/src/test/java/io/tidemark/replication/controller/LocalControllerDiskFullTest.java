package io.tidemark.replication.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

import io.tidemark.engine.storage.FaultyStorage;
import io.tidemark.engine.storage.FileStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 10 of issue 12: the single-node controller's metadata on a full disk. Deleting topics needs no new
 * disk space, a change that does need some fails with KAFKA_STORAGE_ERROR and changes nothing, and no
 * temporary file is left behind.
 */
class LocalControllerDiskFullTest
{
    @TempDir
    Path dir;

    private static final BrokerInfo SELF = new BrokerInfo(0, 0, new UUID(0, 1), "127.0.0.1", 9092, null, false, Map.of());

    private LocalController open(final FaultyStorage storage)
    {
        return new LocalController(storage, dir, "c", SELF, Map.of(), 1, (short)1);
    }

    private List<String> files() throws IOException
    {
        try (Stream<Path> s = Files.list(dir))
        {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldDeleteTopicsOnAFullDiskAndRefuseGrowthWithAStorageError() throws IOException
    {
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, 1);
        try (LocalController c = open(storage))
        {
            for (int i = 0; i < 20; i++)
            {
                c.createTopic("topic-" + i, 1, (short)1, null, Map.of(), false).join();
            }
            storage.spaceLeft(0); // the disk is full
            for (int i = 0; i < 20; i += 2)
            {
                c.deleteTopic("topic-" + i).join();
            }
            final CompletionException refused = assertThrows(CompletionException.class,
                () -> c.createTopic("a-topic-with-a-name-long-enough-to-need-more-space-" + "x".repeat(150), 2000, (short)1, null,
                    Map.of("retention.ms", "1000"), false).join());
            final ControllerException cause = (ControllerException)refused.getCause();
            assertEquals(ControllerException.Reason.KAFKA_STORAGE_ERROR, cause.reason(), cause.getMessage());
            assertTrue(cause.getMessage().contains("No space left on device"), cause.getMessage());
            assertFalse(cause.getMessage().contains("java.io"), cause.getMessage());
            assertEquals(10, c.image().topics().size(), "the refused change changed nothing");
        }
        for (final String f : files())
        {
            assertFalse(f.endsWith(".tmp"), "no temporary file left: " + files());
        }
        try (LocalController c = open(new FaultyStorage(FileStorage.INSTANCE, 2)))
        {
            assertEquals(10, c.image().topics().size(), "the deletions are durable");
            assertFalse(c.image().topics().containsKey("topic-0"));
            assertTrue(c.image().topics().containsKey("topic-1"));
        }
    }

    @Test
    void shouldLoadThePreviousGenerationWhenTheNewerRecordIsTornAndReadTheOldFile() throws IOException
    {
        // the file of earlier versions: loaded once, then replaced by the slots
        final FaultyStorage storage = new FaultyStorage(FileStorage.INSTANCE, 3);
        try (LocalController c = open(storage))
        {
            c.createTopic("kept", 1, (short)1, null, Map.of(), false).join();
        }
        final Path slot0 = dir.resolve(LocalController.FILE_NAME + ".0");
        final Path slot1 = dir.resolve(LocalController.FILE_NAME + ".1");
        final byte[] legacy = MetadataImageCodec.encode(new MetadataImage("c", 0, 1, Map.of(), Map.of(), 0));
        Files.write(dir.resolve(LocalController.FILE_NAME + ".tmp"), new byte[0]);
        try (LocalController c = open(storage))
        {
            c.createTopic("torn", 1, (short)1, null, Map.of(), false).join();
        }
        // tear the newest record: flip a byte of its payload in whichever slot has the higher generation
        final Path newest = generation(slot0) > generation(slot1) ? slot0 : slot1;
        final byte[] bytes = Files.readAllBytes(newest);
        bytes[30] ^= 0x20;
        Files.write(newest, bytes);
        try (LocalController c = open(storage))
        {
            assertTrue(c.image().topics().containsKey("kept"));
            assertFalse(c.image().topics().containsKey("torn"), "the torn generation is not loaded; the previous one is");
        }
        assertFalse(files().contains(LocalController.FILE_NAME + ".tmp"), files().toString());
        Files.delete(slot0);
        Files.delete(slot1);
        Files.write(dir.resolve(LocalController.FILE_NAME), legacy);
        try (LocalController c = open(storage))
        {
            assertEquals("c", c.image().clusterId());
        }
        assertFalse(files().contains(LocalController.FILE_NAME), "the old file is gone once a slot holds a newer generation: " + files());
        assertTrue(new String(legacy, StandardCharsets.UTF_8).startsWith("tidemark-metadata"));
    }

    private static long generation(final Path slot) throws IOException
    {
        return java.nio.ByteBuffer.wrap(Files.readAllBytes(slot), 4, 8).getLong();
    }
}
