package io.tidemark.broker.fetch;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tidemark.broker.network.Response;
import io.tidemark.replication.Partition;
import io.tidemark.replication.PartitionWatcher;
import org.apache.kafka.common.message.FetchResponseData;

/**
 * A fetch waiting for {@code minBytes} (Kafka's DelayedFetch). It watches its partitions: each time one
 * advances (high watermark, log end, leadership) a check is scheduled on the request handler pool, which
 * reads again and answers if the minimum is met or an error appeared. At {@code maxWaitMs} it answers with
 * whatever is there. Exactly one answer is sent; every read not sent releases its segment references.
 */
final class DelayedFetch implements PartitionWatcher
{
    private final List<FetchResponseData.FetchableTopicResponse> topics;
    private final List<FetchRead.Wanted> wanted;
    private final int maxBytes;
    private final int minBytes;
    private final short version;
    private final Executor pool;
    private final CompletableFuture<Response> future = new CompletableFuture<>();
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicBoolean checkScheduled = new AtomicBoolean();
    private final Runnable check = this::check;
    private volatile ScheduledFuture<?> timeout;

    DelayedFetch(final List<FetchResponseData.FetchableTopicResponse> topics, final List<FetchRead.Wanted> wanted, final int maxBytes,
        final int minBytes, final short version, final Executor pool)
    {
        this.topics = topics;
        this.wanted = wanted;
        this.maxBytes = maxBytes;
        this.minBytes = minBytes;
        this.version = version;
        this.pool = pool;
    }

    CompletableFuture<Response> start(final ScheduledExecutorService timer, final long maxWaitMs)
    {
        for (final FetchRead.Wanted w : wanted)
        {
            if (w.partition() != null)
            {
                w.partition().addWatcher(this);
            }
        }
        try
        {
            timeout = timer.schedule(this::expire, maxWaitMs, TimeUnit.MILLISECONDS);
        }
        catch (final RejectedExecutionException ex)
        {
            expire();
            return future;
        }
        scheduleCheck(); // data may have arrived before the watchers were in place
        return future;
    }

    @Override
    public void onPartitionProgress(final Partition partition)
    {
        scheduleCheck();
    }

    private void scheduleCheck()
    {
        if (!done.get() && checkScheduled.compareAndSet(false, true))
        {
            try
            {
                pool.execute(check);
            }
            catch (final RejectedExecutionException ex)
            {
                checkScheduled.set(false);
            }
        }
    }

    private void check()
    {
        checkScheduled.set(false);
        if (done.get())
        {
            return;
        }
        final FetchRead read;
        try
        {
            read = FetchRead.read(topics, wanted, maxBytes, version);
        }
        catch (final RuntimeException ex)
        {
            finish(null, ex);
            return;
        }
        if ((read.error || read.bytes >= minBytes) && finish(read, null))
        {
            return;
        }
        read.discard();
    }

    private void expire()
    {
        if (done.get())
        {
            return;
        }
        try
        {
            pool.execute(() ->
            {
                if (!done.get())
                {
                    try
                    {
                        final FetchRead read = FetchRead.read(topics, wanted, maxBytes, version);
                        if (!finish(read, null))
                        {
                            read.discard();
                        }
                    }
                    catch (final RuntimeException ex)
                    {
                        finish(null, ex);
                    }
                }
            });
        }
        catch (final RejectedExecutionException ex)
        {
            finish(null, ex);
        }
    }

    /**
     * @return true if this call answered the fetch.
     */
    private boolean finish(final FetchRead read, final Throwable error)
    {
        if (!done.compareAndSet(false, true))
        {
            return false;
        }
        for (final FetchRead.Wanted w : wanted)
        {
            if (w.partition() != null)
            {
                w.partition().removeWatcher(this);
            }
        }
        final ScheduledFuture<?> t = timeout;
        if (t != null)
        {
            t.cancel(false);
        }
        if (error != null)
        {
            future.completeExceptionally(error);
        }
        else
        {
            future.complete(read.toResponse());
        }
        return true;
    }
}
