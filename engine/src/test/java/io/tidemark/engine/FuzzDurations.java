package io.tidemark.engine;

/**
 * How long each Jazzer target fuzzes under {@code -Pslow} (the default build only replays the saved corpus).
 */
final class FuzzDurations
{
    /** Per target: the slow profile runs each target class in its own JVM for this long. */
    static final String TARGET = "2m";

    private FuzzDurations()
    {
    }
}
