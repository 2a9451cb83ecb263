package io.tidemark.testkit.junit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.tidemark.testkit.Seeds;
import io.tidemark.testkit.process.ProcessCluster;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When a test fails, prints what is needed to understand and replay it — the seed, the fault schedule,
 * the tail of every node's output, the checker's report — and attaches it to the failure as a suppressed
 * exception, so it lands in the Surefire report next to the stack trace.
 *
 * <pre>
 *   &#64;RegisterExtension
 *   final FailureDiagnostics diagnostics = new FailureDiagnostics();
 *
 *   &#64;Test
 *   void shouldSurviveFaults()
 *   {
 *       long seed = diagnostics.seed("shouldSurviveFaults");
 *       diagnostics.attach(cluster);                        // node log tails
 *       diagnostics.attach("fault schedule", schedule::toString);
 *       ...
 *   }
 * </pre>
 *
 * Register it as an instance field so each test gets its own; attachments are computed only on failure.
 */
public final class FailureDiagnostics implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler
{
    private static final int TAIL_LINES = 60;

    private final Map<String, Supplier<String>> attachments = new LinkedHashMap<>();
    private Long seed;

    /** The diagnostics, as an exception to attach to a failure. */
    public static final class Diagnostics extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Diagnostics(final String text)
        {
            super(text, null, false, false);
        }
    }

    /**
     * Draws (or reads from {@code -Dtidemark.seed}) the test's seed, prints it, and remembers it for the
     * failure report.
     *
     * @param testName printed beside the seed.
     * @return the seed.
     */
    public long seed(final String testName)
    {
        final long s = Seeds.seed(testName);
        this.seed = s;
        return s;
    }

    /**
     * @param seed a seed chosen elsewhere, remembered for the failure report.
     */
    public void seed(final long seed)
    {
        this.seed = seed;
    }

    /**
     * @param title   a heading.
     * @param content computed on failure only.
     * @return this.
     */
    public FailureDiagnostics attach(final String title, final Supplier<String> content)
    {
        attachments.put(title, content);
        return this;
    }

    /**
     * @param cluster a cluster whose nodes' stdout and stderr tails are reported.
     * @return this.
     */
    public FailureDiagnostics attach(final ProcessCluster cluster)
    {
        return attach("process output (last " + TAIL_LINES + " lines per stream)", () -> cluster.tails(TAIL_LINES));
    }

    /** @return the text reported on failure now. */
    public String render()
    {
        final String nl = System.lineSeparator();
        final StringBuilder sb = new StringBuilder("==== failure diagnostics ====").append(nl);
        sb.append("seed: ").append(seed == null ? "none recorded" : seed + " (replay with -D" + Seeds.PROPERTY + "=" + seed + ")")
            .append(nl);
        final List<Map.Entry<String, Supplier<String>>> entries = new ArrayList<>(attachments.entrySet());
        for (final Map.Entry<String, Supplier<String>> e : entries)
        {
            sb.append("---- ").append(e.getKey()).append(" ----").append(nl);
            try
            {
                sb.append(e.getValue().get()).append(nl);
            }
            catch (final RuntimeException failure)
            {
                sb.append("(cannot render: ").append(failure).append(')').append(nl);
            }
        }
        return sb.toString();
    }

    private void report(final Throwable failure) throws Throwable
    {
        final String text = render();
        System.err.println(text);
        failure.addSuppressed(new Diagnostics(text));
        throw failure;
    }

    @Override
    public void handleTestExecutionException(final ExtensionContext context, final Throwable throwable) throws Throwable
    {
        report(throwable);
    }

    @Override
    public void handleAfterEachMethodExecutionException(final ExtensionContext context, final Throwable throwable)
        throws Throwable
    {
        report(throwable);
    }
}
