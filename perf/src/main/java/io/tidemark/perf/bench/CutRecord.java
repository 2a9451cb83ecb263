package io.tidemark.perf.bench;

import java.util.List;

/**
 * One power cut under load and its read-back: the loss figures come only from here.
 *
 * @param mode           {@code one} (a random node) or {@code all} (every node at once).
 * @param seed           the trial's seed (cut moment, node, how pages tear).
 * @param nodes          node indexes whose power was cut.
 * @param cutAtMs        when the cut came, after the load started.
 * @param ackedAtCut     records acknowledged when the cut came.
 * @param acked          records acknowledged in all (late acknowledgements of data written before the cut count).
 * @param unsyncedAtCut  records of the topic past the durable offset on the cut nodes (what the engine had at risk).
 * @param readBack       records read back after the restart.
 * @param lost           acknowledged records not read back.
 * @param windowMs       from the earliest lost acknowledgement to the cut (0 if nothing was lost).
 * @param spanMs         from the earliest to the latest lost acknowledgement.
 * @param duplicates     records read back more than once.
 * @param moved          acknowledged records read back at another partition or offset.
 * @param restartMs      time to start the cut nodes again (recovery included).
 * @param settled        whether the topic settled before the read-back (every replica back in the ISR, the
 *                       leaders' high watermarks at their log ends); if not, records the cluster still holds
 *                       above a high watermark count as lost, because no consumer can read them.
 */
public record CutRecord(String mode, long seed, List<Integer> nodes, long cutAtMs, long ackedAtCut, long acked, long unsyncedAtCut,
    long readBack, long lost, double windowMs, double spanMs, long duplicates, long moved, long restartMs, boolean settled)
{
}
