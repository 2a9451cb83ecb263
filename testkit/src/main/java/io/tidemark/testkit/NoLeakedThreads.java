package io.tidemark.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves behind threads whose names start with {@code tidemark-}. Register with
 * {@code @ExtendWith(NoLeakedThreads.class)}.
 */
public final class NoLeakedThreads implements BeforeEachCallback, AfterEachCallback
{
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeakedThreads.class);
    private static final String PREFIX = "tidemark-";

    @Override
    public void beforeEach(final ExtensionContext context)
    {
        context.getStore(NS).put("before", ours());
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        @SuppressWarnings("unchecked")
        final Set<Thread> before = (Set<Thread>)context.getStore(NS).get("before", Set.class);
        final List<Thread> leaked = new ArrayList<>();
        Await.await(() -> "threads to stop: " + leaked, Duration.ofSeconds(10), () ->
        {
            leaked.clear();
            for (final Thread t : ours())
            {
                if (!before.contains(t))
                {
                    leaked.add(t);
                }
            }
            return leaked.isEmpty();
        });
    }

    private static Set<Thread> ours()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith(PREFIX))
            .collect(Collectors.toSet());
    }
}
