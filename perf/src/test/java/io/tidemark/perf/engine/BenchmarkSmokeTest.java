package io.tidemark.perf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Runs no benchmark: checks that JMH generated the benchmark list and that the forks' JVM flags
 * match the parent pom's {@code tidemark.jvm.flags}.
 */
class BenchmarkSmokeTest
{
    @Test
    void shouldListEveryEngineBenchmarkWhenCompiled() throws IOException
    {
        final String list;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/BenchmarkList"))
        {
            assertNotNull(in, "META-INF/BenchmarkList missing: the JMH annotation processor did not run");
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (final String name : List.of(
            "AppendThroughputBenchmark", "GroupCommitBenchmark", "RingVsLockBenchmark",
            "AllocationBenchmark", "TransferToBenchmark", "ChronicleQueueBenchmark"))
        {
            assertTrue(list.contains("io.tidemark.perf.engine." + name), name + " is not in the benchmark list");
        }
    }

    @Test
    void shouldForkWithTheParentJvmFlagsWhenRunFromMaven()
    {
        final String property = System.getProperty("tidemark.jvm.flags");
        assertNotNull(property, "surefire passes tidemark.jvm.flags");
        assertEquals(Arrays.asList(property.trim().split("\\s+")), JvmFlags.tidemark());
    }
}
