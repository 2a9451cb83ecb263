package io.tidemark.replication.controller.raft;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import io.tidemark.replication.controller.MetadataImage;
import io.tidemark.transport.LogText;

/**
 * Hands images to listeners in version order, on the given executor (never on the Raft thread). A
 * listener added later gets the last published image first, then every newer one.
 */
final class ImagePublisher
{
    private static final System.Logger LOG = System.getLogger(ImagePublisher.class.getName());

    private final Executor executor;
    private final CopyOnWriteArrayList<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private MetadataImage published;
    private volatile boolean closed;

    /**
     * @param executor runs the listener calls, one at a time, in submission order.
     * @param initial  the image before any change.
     */
    ImagePublisher(final Executor executor, final MetadataImage initial)
    {
        this.executor = executor;
        this.published = initial;
    }

    /**
     * Queues a publication; images not newer than the last published one are skipped.
     *
     * @param image the new image.
     */
    void submit(final MetadataImage image)
    {
        if (closed)
        {
            return;
        }
        try
        {
            executor.execute(() -> publish(image));
        }
        catch (final RuntimeException ex)
        {
            // the executor is shutting down with the controller
            LOG.log(System.Logger.Level.DEBUG, "image {0} not published: {1}", image.version(), ex);
        }
    }

    private void publish(final MetadataImage image)
    {
        synchronized (lock)
        {
            if (closed || image.version() <= published.version())
            {
                return;
            }
            published = image;
            for (final Consumer<MetadataImage> l : listeners)
            {
                call(l, image);
            }
        }
    }

    private static void call(final Consumer<MetadataImage> listener, final MetadataImage image)
    {
        try
        {
            listener.accept(image);
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "metadata listener " + listener + " failed on image " + image.version(), LogText.safe(ex));
        }
    }

    /**
     * @param listener called now with the last published image, then with every newer one.
     */
    void add(final Consumer<MetadataImage> listener)
    {
        synchronized (lock)
        {
            listeners.add(listener);
            call(listener, published);
        }
    }

    /**
     * @return the last image handed to listeners.
     */
    MetadataImage published()
    {
        synchronized (lock)
        {
            return published;
        }
    }

    void close()
    {
        closed = true;
        listeners.clear();
    }
}
