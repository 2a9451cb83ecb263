package io.tidemark.replication.controller.raft;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import io.tidemark.replication.Scheduler;
import io.tidemark.replication.controller.ControllerException;
import io.tidemark.replication.controller.ControllerTopics;
import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.replication.controller.Placement;
import io.tidemark.transport.LogText;

/**
 * The retry loop shared by every client of the active controller (a voter forwarding its callers'
 * requests, or a broker-only node): each call gets a request id in this client's session, is tried
 * at the node believed to be the active controller, and is retried, with the same request id, when
 * the answer is "not me" ({@link ControllerResult.Retry}), when the transport fails, or when the
 * outcome is unknown (the state machine answers a repeated request id from its record, so a retried
 * operation is applied at most once). The call fails with
 * {@link ControllerException.Reason#NOT_CONTROLLER} once {@code requestTimeoutMs} has passed.
 *
 * <p>All state is confined to the {@link Scheduler}'s thread, except the pending set (closing fails
 * pending calls from any thread).
 */
abstract class ControllerClientBase
{
    private static final System.Logger LOG = System.getLogger(ControllerClientBase.class.getName());

    protected final Scheduler scheduler;
    private final long session;
    private final long requestTimeoutMs;
    private final long retryBackoffMs;
    private long nextSeq = 1;
    private final TreeSet<Long> inFlight = new TreeSet<>();
    private final Map<Call, Boolean> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * One controller call and its retry state.
     */
    protected final class Call
    {
        final ControllerOp op;
        final int apiKey;
        final byte[] body;
        final int brokerId;
        final long brokerEpoch;
        final long seq;
        final long deadlineMs;
        final CompletableFuture<ControllerResult> result = new CompletableFuture<>();
        int attempts;
        int lastHint = -1;
        String lastProblem = "no attempt yet";

        private Call(final ControllerOp op, final int brokerId, final long brokerEpoch, final long seq)
        {
            this.op = op;
            this.apiKey = op != null ? ControllerApi.WRITE : ControllerApi.HEARTBEAT;
            this.body = op != null ? ControllerCodec.encodeOp(op) : new WireWriter(12).i32(brokerId).i64(brokerEpoch).toByteArray();
            this.brokerId = brokerId;
            this.brokerEpoch = brokerEpoch;
            this.seq = seq;
            this.deadlineMs = scheduler.nowMs() + requestTimeoutMs;
        }

        /**
         * @return the operation, or null for a heartbeat.
         */
        ControllerOp op()
        {
            return op;
        }
    }

    /**
     * The assignment to write for a new topic. With {@code replica.placement=random} and no assignment
     * given, the replicas are placed here, on the node the request reached, with a random start and shift
     * over the live brokers of its latest image (a count or replication factor of -1 takes this node's
     * defaults), and the op carries them: every voter then applies the same placement, which a random
     * choice made while applying would not give. Otherwise, or if the request is invalid (the controller
     * then refuses it with the precise error), the assignment is left as given.
     *
     * @param config            this node's configuration.
     * @param image             its latest metadata image.
     * @param partitions        the requested count, or -1.
     * @param replicationFactor the requested replication factor, or -1.
     * @param assignment        the requested assignment, or null or empty.
     * @return the assignment to put in the op.
     */
    protected static List<List<Integer>> placeNewTopic(final ControllerQuorumConfig config, final MetadataImage image, final int partitions,
        final short replicationFactor, final List<List<Integer>> assignment)
    {
        if (!config.randomReplicaPlacement() || assignment != null && !assignment.isEmpty())
        {
            return assignment;
        }
        final int count = partitions < 0 ? config.defaultPartitions() : partitions;
        final int rf = replicationFactor < 0 ? config.defaultReplicationFactor() : replicationFactor;
        final List<Integer> live = ControllerTopics.liveBrokers(image);
        if (count < 1 || count > ControllerTopics.MAX_PARTITIONS_PER_OPERATION || rf < 1 || rf > live.size())
        {
            return assignment;
        }
        return Placement.assignRandomly(live, count, rf, ThreadLocalRandom.current());
    }

    /**
     * @param scheduler        the client's event loop.
     * @param session          this client's random session id (not 0).
     * @param requestTimeoutMs a call fails after this long.
     * @param retryBackoffMs   pause between attempts that make no progress.
     */
    ControllerClientBase(final Scheduler scheduler, final long session, final long requestTimeoutMs, final long retryBackoffMs)
    {
        this.scheduler = scheduler;
        this.session = session == 0 ? 1 : session;
        this.requestTimeoutMs = requestTimeoutMs;
        this.retryBackoffMs = retryBackoffMs;
    }

    /**
     * One attempt at the node believed to lead, on the scheduler thread.
     *
     * @param call      the call.
     * @param timeoutMs time left.
     * @return the answer (a {@link ControllerResult.Retry} for "try again"), or a failure to retry.
     */
    protected abstract CompletableFuture<ControllerResult> attempt(Call call, long timeoutMs);

    /**
     * @param leaderHint a node named as leader by a {@link ControllerResult.Retry} (-1 for none).
     */
    protected void leaderHint(final int leaderHint)
    {
    }

    /**
     * Submits a metadata change.
     *
     * @param factory builds the operation from its request id.
     * @return the state machine's answer (never a Retry).
     */
    final CompletableFuture<ControllerResult> write(final Function<ControllerOp.RequestId, ControllerOp> factory)
    {
        final CompletableFuture<ControllerResult> result = new CompletableFuture<>();
        execute(result, () ->
        {
            final long seq = nextSeq++;
            inFlight.add(seq);
            final ControllerOp op;
            try
            {
                op = factory.apply(new ControllerOp.RequestId(session, seq, inFlight.first()));
            }
            catch (final RuntimeException ex)
            {
                inFlight.remove(seq);
                result.complete(new ControllerResult.Refused(ControllerException.Reason.UNKNOWN, "bad request: " + ex.getMessage()));
                return;
            }
            start(new Call(op, -1, -1, seq), result);
        });
        return result;
    }

    /**
     * Submits a broker heartbeat.
     *
     * @param brokerId    the broker.
     * @param brokerEpoch its epoch.
     * @return the answer.
     */
    final CompletableFuture<ControllerResult> heartbeatCall(final int brokerId, final long brokerEpoch)
    {
        final CompletableFuture<ControllerResult> result = new CompletableFuture<>();
        execute(result, () -> start(new Call(null, brokerId, brokerEpoch, -1), result));
        return result;
    }

    private void execute(final CompletableFuture<ControllerResult> result, final Runnable task)
    {
        if (closed)
        {
            result.completeExceptionally(closedException());
            return;
        }
        try
        {
            scheduler.execute(task);
        }
        catch (final RuntimeException ex)
        {
            result.completeExceptionally(closedException());
        }
    }

    private void start(final Call call, final CompletableFuture<ControllerResult> out)
    {
        pending.put(call, Boolean.TRUE);
        call.result.whenComplete((r, e) ->
        {
            pending.remove(call);
            if (e != null)
            {
                out.completeExceptionally(e);
            }
            else
            {
                out.complete(r);
            }
        });
        if (closed)
        {
            call.result.completeExceptionally(closedException());
            return;
        }
        run(call);
    }

    private void run(final Call call)
    {
        if (call.result.isDone())
        {
            return;
        }
        final long left = call.deadlineMs - scheduler.nowMs();
        if (closed || left <= 0)
        {
            finish(call);
            call.result.completeExceptionally(closed ? closedException() : new ControllerException(ControllerException.Reason.NOT_CONTROLLER,
                "no active controller answered within " + requestTimeoutMs + " ms (" + call.attempts + " attempts; last: " +
                    call.lastProblem + ")"));
            return;
        }
        call.attempts++;
        final CompletableFuture<ControllerResult> attempt;
        try
        {
            attempt = attempt(call, left);
        }
        catch (final RuntimeException ex)
        {
            retry(call, -1, ex.toString());
            return;
        }
        attempt.whenComplete((r, e) -> scheduleOnLoop(() -> onAnswer(call, r, e)));
    }

    private void scheduleOnLoop(final Runnable task)
    {
        try
        {
            scheduler.execute(task);
        }
        catch (final RuntimeException ex)
        {
            // the loop stopped with the client; close() fails what is pending
            LOG.log(System.Logger.Level.DEBUG, "controller client loop stopped: {0}", LogText.escape(ex));
        }
    }

    private void onAnswer(final Call call, final ControllerResult r, final Throwable e)
    {
        if (call.result.isDone())
        {
            return;
        }
        if (e != null)
        {
            final Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            retry(call, -1, cause.toString());
        }
        else if (r instanceof ControllerResult.Retry retry)
        {
            leaderHint(retry.leaderHint());
            retry(call, retry.leaderHint(), retry.message());
        }
        else
        {
            finish(call);
            call.result.complete(r);
        }
    }

    private void retry(final Call call, final int hint, final String problem)
    {
        call.lastProblem = problem;
        // a new leader named: go there at once; otherwise (no leader, or the same answer) back off
        final long delay = hint >= 0 && hint != call.lastHint ? 0 : retryBackoffMs;
        call.lastHint = hint;
        scheduler.schedule(delay, () -> run(call));
    }

    private void finish(final Call call)
    {
        if (call.op != null)
        {
            inFlight.remove(call.seq);
        }
    }

    private static ControllerException closedException()
    {
        return new ControllerException(ControllerException.Reason.NOT_CONTROLLER, "the controller client is closed");
    }

    /**
     * Fails every pending call; later calls fail at once.
     */
    protected final void closeCalls()
    {
        closed = true;
        for (final Call call : pending.keySet())
        {
            call.result.completeExceptionally(closedException());
        }
    }

    /**
     * @return whether {@link #closeCalls()} ran.
     */
    protected final boolean isClosed()
    {
        return closed;
    }

    /**
     * Turns a final answer into the typed future the {@link io.tidemark.replication.controller.Controller} API returns.
     */
    @SuppressWarnings("unchecked")
    static <T> CompletableFuture<T> typed(final CompletableFuture<ControllerResult> answer)
    {
        return answer.thenCompose(r ->
        {
            if (r instanceof ControllerResult.Ok ok)
            {
                return CompletableFuture.completedFuture((T)ok.value());
            }
            if (r instanceof ControllerResult.Refused refused)
            {
                return CompletableFuture.failedFuture(refused.toException());
            }
            return CompletableFuture.failedFuture(new ControllerException(ControllerException.Reason.UNKNOWN, "unexpected answer " + r));
        });
    }
}
