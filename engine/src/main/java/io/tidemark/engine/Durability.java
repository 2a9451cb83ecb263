package io.tidemark.engine;

/**
 * How far an acknowledged append got.
 */
public enum Durability
{
    /** Nothing was written (the append failed). */
    NONE,
    /** In the log and visible to readers, in the page cache only: a power cut may lose it. */
    WRITTEN,
    /** Forced to disk: survives a power cut. */
    SYNCED
}
