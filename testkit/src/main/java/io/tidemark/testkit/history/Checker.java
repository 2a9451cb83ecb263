package io.tidemark.testkit.history;

import java.time.Duration;
import java.util.List;

/**
 * Checks a {@link History} against the {@link FinalRead} taken after every fault was healed, under a
 * {@link Contract} (RELIABILITY.md §4; modelled on Jepsen's Kafka checker). Linear in the history: every
 * check is one pass with primitive hash maps, so a million events take seconds.
 *
 * <pre>
 *   Report report = new Checker(Contract.acksAll()).seed(seed).check(history, finalRead);
 *   assertTrue(report.valid(), report::toString);
 * </pre>
 *
 * What is checked, and how an observation is classified (first matching rule, most severe first):
 * <ol>
 *   <li>Final read: corrupt bytes (CORRUPT_VALUE), values never sent or sent elsewhere (UNKNOWN_VALUE),
 *   definitely failed sends (FAILED_WRITE_VISIBLE), values at several offsets (DUPLICATE), offsets of
 *   {@code [logStart, end)} holding nothing (HOLE).</li>
 *   <li>Every acknowledged offset and polled record against each other and the final read: two values at one
 *   offset (INCONSISTENT_OFFSET).</li>
 *   <li>Each acknowledged send at offset o: below the log start → pruned (not judged); in the final read at o
 *   → fine; at another offset → INCONSISTENT_OFFSET; absent → LOST_ACKED.</li>
 *   <li>Each polled record (p, o, v): o at or above the HW reported with the poll → READ_BEYOND_HW; then, once
 *   per offset: in the final read at o → fine; at another offset → INCONSISTENT_OFFSET; absent and o at or
 *   beyond the final read's end → READ_BEYOND_HW (unless the contract declares an all-node power loss);
 *   otherwise → READ_THEN_LOST.</li>
 *   <li>Real-time order and, for idempotent producers, send order (REORDERED); see {@code OrderChecks}.</li>
 *   <li>Consumers: NONMONOTONIC_POLL, POLL_SKIP, COMMIT_REGRESS, COMMIT_SKIP; see {@code ConsumerChecks}.</li>
 *   <li>Acknowledged, in the final read, never polled (UNSEEN_ACKED; only when the workload polls at all);
 *   replicas that differ or did not converge (REPLICA_DIVERGENCE); no ack within the bound after a heal
 *   (SLOW_RECOVERY).</li>
 * </ol>
 */
public final class Checker
{
    private final Contract contract;
    private Long seed;
    private long bucketNanos = Duration.ofSeconds(1).toNanos();

    /**
     * @param contract what the run promises.
     */
    public Checker(final Contract contract)
    {
        this.contract = contract;
    }

    /**
     * @param seed the run's seed, printed in the report.
     * @return this.
     */
    public Checker seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    /**
     * @param bucket the granularity of unavailable time; default 1 s.
     * @return this.
     */
    public Checker unavailabilityBucket(final Duration bucket)
    {
        if (bucket.isNegative() || bucket.isZero())
        {
            throw new IllegalArgumentException("bucket must be positive: " + bucket);
        }
        this.bucketNanos = bucket.toNanos();
        return this;
    }

    /**
     * @param history   the run's history (every fault healed).
     * @param finalRead every partition the history touches, read at the end.
     * @return the report.
     * @throws IllegalArgumentException when the history is malformed (a value sent twice, a completion without
     *                                  invocation) or the final read lacks a partition the history uses.
     */
    public Report check(final History history, final FinalRead finalRead)
    {
        return check(history.ops(), finalRead);
    }

    /**
     * @param ops       the events, in history order.
     * @param finalRead every partition the history touches, read at the end.
     * @return the report.
     */
    public Report check(final List<Op> ops, final FinalRead finalRead)
    {
        final Context ctx = new Context(ops, finalRead, contract);
        new LogChecks(ctx).run();
        new OrderChecks(ctx).run();
        new ConsumerChecks(ctx).run();
        final Timing timing = new Timing(ctx, bucketNanos);
        timing.run();
        return new Report(ctx, timing, seed);
    }
}
