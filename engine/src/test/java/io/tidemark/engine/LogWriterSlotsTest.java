package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.tidemark.engine.record.RecordBatchBuilder;
import io.tidemark.testkit.Await;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogWriterSlotsTest
{
    private static final int PRODUCERS = 4;
    private static final int APPENDS_PER_PRODUCER = 50_000;
    private static final int SLOTS = 16;

    @TempDir
    Path dir;

    @Test
    void shouldReturnEverySlotWhenManyProducersAppendAtOnce() throws InterruptedException
    {
        final UnsafeBuffer batch = new UnsafeBuffer(new byte[256]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(batch);
        builder.append(1_000, null, 0, 0, new UnsafeBuffer(new byte[10]), 0, 10);
        builder.build();
        final int length = builder.sizeInBytes();
        final AtomicLong completed = new AtomicLong();
        final AppendListener listener = r -> completed.incrementAndGet();
        // few slots: the free queue is nearly full most of the time, where a lost offer used to leak one
        try (Log log = Log.options(dir.resolve("slots-0")).maxPendingAppends(SLOTS).open())
        {
            final Thread[] producers = new Thread[PRODUCERS];
            for (int p = 0; p < PRODUCERS; p++)
            {
                producers[p] = new Thread(() ->
                {
                    for (int i = 0; i < APPENDS_PER_PRODUCER; i++)
                    {
                        while (log.tryAppend(batch, 0, length, 0, 0, listener) == Log.BACK_PRESSURED)
                        {
                            LockSupport.parkNanos(1_000);
                        }
                    }
                });
                producers[p].start();
            }
            for (final Thread producer : producers)
            {
                producer.join();
            }
            log.flush();
            assertEquals((long)PRODUCERS * APPENDS_PER_PRODUCER, completed.get());
            // the flush's own slot is recycled just after its waiter is released
            Await.await(() -> "all " + SLOTS + " slots free again; free: " + log.writer().freeSlots(), Duration.ofSeconds(10),
                () -> log.writer().freeSlots() == SLOTS);
        }
    }
}
