/**
 * The storage seam: every file and mapping operation of the engine goes through {@link
 * io.tidemark.engine.storage.Storage}. {@link io.tidemark.engine.storage.FileStorage} is the production
 * implementation; {@link io.tidemark.engine.storage.CrashSimulatingStorage} simulates power cuts
 * (only synced bytes survive, unsynced pages tear) and {@link io.tidemark.engine.storage.FaultyStorage}
 * injects EIO on force, ENOSPC on growth and short writes.
 */
package io.tidemark.engine.storage;
