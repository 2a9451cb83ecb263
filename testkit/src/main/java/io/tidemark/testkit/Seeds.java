package io.tidemark.testkit;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Seeds for randomized tests. {@code -Dtidemark.seed=N} replays a run; otherwise a fresh seed is drawn
 * and printed so a failure can be replayed.
 */
public final class Seeds
{
    /** System property that fixes the seed of randomized tests. */
    public static final String PROPERTY = "tidemark.seed";

    private Seeds()
    {
    }

    /**
     * @param testName printed beside the seed.
     * @return the seed to use.
     */
    public static long seed(final String testName)
    {
        final String fixed = System.getProperty(PROPERTY);
        final long seed = fixed != null ? Long.parseLong(fixed.trim()) : ThreadLocalRandom.current().nextLong();
        System.out.println("[seed] " + testName + " seed=" + seed + " (replay with -D" + PROPERTY + "=" + seed + ")");
        return seed;
    }
}
