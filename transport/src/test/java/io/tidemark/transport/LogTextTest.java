package io.tidemark.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

/**
 * Peer-supplied text in logs (issue 12, finding 7).
 */
class LogTextTest
{
    @Test
    void shouldEscapeEveryControlCharacterWhenTextComesFromAPeer()
    {
        assertEquals("a\\nb\\rc\\td\\u001b[31me\\u0000f\\u007fg\\u0085h\\u2028i\\\\j", LogText.escape("a\nb\rc\td\u001b[31me\u0000f\u007fg\u0085h\u2028i\\j"));
    }

    @Test
    void shouldReturnTheSameStringWhenNothingNeedsEscaping()
    {
        final String plain = "client-1 topic.a_b é";
        assertSame(plain, LogText.escape(plain));
        assertEquals("null", LogText.escape(null));
    }

    @Test
    void shouldKeepTheStackTraceButEscapeTheMessageWhenAThrowableCarriesPeerText()
    {
        final IllegalStateException cause = new IllegalStateException("bad\nforged");
        final RuntimeException t = new RuntimeException("outer\r", cause);
        final Throwable safe = LogText.safe(t);
        final StringWriter out = new StringWriter();
        safe.printStackTrace(new PrintWriter(out));
        final String printed = out.toString();
        assertFalse(printed.contains("\r"), printed);
        assertFalse(printed.contains("bad\nforged"), printed);
        assertEquals(t.getStackTrace()[0], safe.getStackTrace()[0]);
        assertEquals("java.lang.RuntimeException: outer\\r", safe.toString());
        assertEquals("java.lang.IllegalStateException: bad\\nforged", safe.getCause().toString());
    }

    @Test
    void shouldReturnTheSameThrowableWhenItsTextIsClean()
    {
        final RuntimeException t = new RuntimeException("clean", new IllegalStateException("also clean"));
        assertSame(t, LogText.safe(t));
    }
}
