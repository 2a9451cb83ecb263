package io.tidemark.broker.metadata;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.tidemark.replication.controller.BrokerInfo;
import io.tidemark.replication.controller.MetadataImage;

/**
 * Holds metadata images back from this broker's partitions until the controller has processed this
 * process's registration, as Kafka's broker waits for its metadata to catch up past its registration
 * before it starts its replica manager.
 *
 * <p>Why: a broker that restarts replays the metadata it had before, in which it may still lead
 * partitions. Its logs may have lost their unsynced tail in the crash, yet acting on that stale image it
 * would lead at the old epoch and answer its followers' OffsetForLeaderEpoch with its short log end, and
 * they would truncate committed records away. The controller's answer to an unclean registration is to
 * move leadership off the broker and out of the ISR; only an image that already holds this registration
 * (the broker's own epoch at least the one it was given) carries that answer. Once opened the gate stays
 * open: later re-registrations of a process that kept running lose nothing.
 *
 * <pre>
 *   controller listener:  image ... image ... image(self epoch >= registered) -> open: forward it and all later
 *   startup thread:       registered(epoch) -> forwards the last image held if it already qualifies
 * </pre>
 *
 * Forwarding happens under this object's lock so images reach the downstream in order; {@link #registered}
 * must therefore be called from a thread that holds no lock the downstream needs (the broker's startup
 * thread).
 */
public final class RegistrationGate implements Consumer<MetadataImage>
{
    private final int localBrokerId;
    private final Consumer<MetadataImage> downstream;
    private final CompletableFuture<Void> opened = new CompletableFuture<>();
    private long registeredEpoch = -1;
    private MetadataImage held;
    private boolean open;

    /**
     * @param localBrokerId this broker.
     * @param downstream    what applies images to this broker's partitions.
     */
    public RegistrationGate(final int localBrokerId, final Consumer<MetadataImage> downstream)
    {
        this.localBrokerId = localBrokerId;
        this.downstream = downstream;
    }

    @Override
    public synchronized void accept(final MetadataImage image)
    {
        if (!open)
        {
            if (!holdsRegistration(image))
            {
                held = image;
                return;
            }
            open = true;
            held = null;
            downstream.accept(image);
            opened.complete(null);
            return;
        }
        downstream.accept(image);
    }

    /**
     * Records the broker epoch the controller gave this process's registration.
     *
     * @param epoch the registered broker epoch.
     */
    public synchronized void registered(final long epoch)
    {
        if (open)
        {
            return;
        }
        registeredEpoch = epoch;
        final MetadataImage image = held;
        if (image != null && holdsRegistration(image))
        {
            open = true;
            held = null;
            downstream.accept(image);
            opened.complete(null);
        }
    }

    /**
     * @return completed once the first image holding the registration reached this broker's partitions.
     */
    public CompletableFuture<Void> opened()
    {
        return opened;
    }

    private boolean holdsRegistration(final MetadataImage image)
    {
        if (registeredEpoch < 0)
        {
            return false;
        }
        final BrokerInfo self = image.brokers().get(localBrokerId);
        return self != null && self.epoch() >= registeredEpoch;
    }
}
