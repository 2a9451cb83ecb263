package io.tidemark.testkit.junit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureDiagnosticsTest
{
    @Test
    void shouldAttachSeedAndContentToTheFailureAndRethrowIt()
    {
        final FailureDiagnostics diagnostics = new FailureDiagnostics();
        diagnostics.seed(1234);
        diagnostics.attach("fault schedule", () -> "+10ms KILL broker-1 for 100ms");
        diagnostics.attach("broken", () ->
        {
            throw new IllegalStateException("no report");
        });
        final AssertionError failure = new AssertionError("lost 3 acknowledged writes");

        final AssertionError thrown = assertThrows(AssertionError.class,
            () -> diagnostics.handleTestExecutionException(null, failure));

        assertSame(failure, thrown);
        assertEquals(1, thrown.getSuppressed().length);
        final String text = thrown.getSuppressed()[0].getMessage();
        assertTrue(text.contains("seed: 1234 (replay with -Dtidemark.seed=1234)"), text);
        assertTrue(text.contains("---- fault schedule ----" + System.lineSeparator() + "+10ms KILL broker-1 for 100ms"), text);
        assertTrue(text.contains("(cannot render: java.lang.IllegalStateException: no report)"), text);
    }

    @Test
    void shouldComputeAttachmentsOnlyOnFailure()
    {
        final FailureDiagnostics diagnostics = new FailureDiagnostics();
        final int[] calls = {0};
        diagnostics.attach("expensive", () -> "x" + calls[0]++);
        assertEquals(0, calls[0]);
        assertTrue(diagnostics.render().contains("seed: none recorded"));
        assertEquals(1, calls[0]);
    }
}
