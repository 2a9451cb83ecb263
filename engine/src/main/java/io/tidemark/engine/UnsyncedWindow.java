package io.tidemark.engine;

/**
 * What a power cut would lose right now: records and bytes written but not yet forced, and how long
 * the oldest of them has waited.
 *
 * @param records records not yet synced.
 * @param bytes   bytes not yet synced.
 * @param ageMs   age of the oldest unsynced record in ms (0 when nothing is unsynced).
 */
public record UnsyncedWindow(long records, long bytes, long ageMs)
{
}
