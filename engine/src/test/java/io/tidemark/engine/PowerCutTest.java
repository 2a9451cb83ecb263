package io.tidemark.engine;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.Tags;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * In-process power cuts on real files ({@link PowerCut}): after reopening, each log is a prefix of
 * what was appended that holds at least every offset below the durable offset at the cut.
 */
@Tag(Tags.FAULT)
class PowerCutTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = { "none", "messages:7", "batch" })
    void shouldKeepWhatWasSyncedAndRecoverAPrefix(final String policy)
    {
        final long seed = Seeds.seed("PowerCutTest " + policy);
        final Random random = new Random(seed);
        for (int round = 0; round < 5; round++)
        {
            final Path logs = dir.resolve(policy.replace(':', '-') + "-" + round);
            final LogManagerConfig config = LogManagerConfig.builder(logs)
                .defaultLogConfig(LogConfig.builder().segmentBytes(64 * 1024).flushPolicy(FlushPolicy.parse(policy)).build())
                .build();
            final LogManager manager = LogManager.open(config);
            final TopicPartition tp = new TopicPartition("cut", 0);
            final Log log = manager.getOrCreate(tp);
            final List<String> appended = new ArrayList<>();
            final int n = 100 + random.nextInt(400);
            for (int i = 0; i < n; i++)
            {
                final String v = "r" + round + "-" + i + "x".repeat(random.nextInt(300));
                assertTrue(Batches.append(log, i, v).succeeded());
                appended.add(v);
            }
            final List<PowerCut.Cut> cuts = PowerCut.cut(manager, random);
            assertEquals(1, cuts.size());
            final long durable = cuts.get(0).durableOffset();
            try (LogManager reopened = LogManager.open(config))
            {
                final Log after = reopened.log(tp);
                final List<String> recovered = Batches.values(after);
                assertTrue(recovered.size() >= durable, "seed " + seed + ": lost synced records: " + recovered.size() + " < " + durable);
                assertEquals(appended.subList(0, recovered.size()), recovered, "seed " + seed + ": a prefix");
                if ("batch".equals(policy))
                {
                    assertEquals(n, recovered.size(), "batch acknowledges only synced appends");
                }
            }
        }
    }
}
