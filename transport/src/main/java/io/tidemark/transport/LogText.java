package io.tidemark.transport;

/**
 * Makes text that came from a peer (a client id, topic, group, member or transactional id, a principal
 * or host, a detail drawn from request data) safe to put in a log line: it can neither end the line
 * (a newline would let it forge a whole line of its own), move the cursor back over it (CR, backspace),
 * nor drive a terminal (ANSI escape sequences start with ESC). Control characters (U+0000-U+001F, U+007F,
 * U+0080-U+009F), the Unicode line and paragraph separators and the backslash itself are written as
 * Java escapes ({@code \n}, {@code \r}, {@code \t}, {@code \\}, {@code \}{@code u001b}), so the logged text
 * is one line and reads back unambiguously. Every logging site that includes peer-supplied text passes
 * it through {@link #escape}, and a throwable whose message may hold such text through {@link #safe}
 * (its stack trace is kept; only the text is escaped).
 *
 * <p>Thread safe (stateless). Allocates only when something needs escaping.
 */
public final class LogText
{
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LogText()
    {
    }

    /**
     * @param text peer-supplied text, or null.
     * @return the text with every control character escaped ("null" for null); the same string when
     *         nothing needs escaping.
     */
    public static String escape(final Object text)
    {
        final String s = String.valueOf(text);
        int i = 0;
        while (i < s.length() && !needsEscape(s.charAt(i)))
        {
            i++;
        }
        if (i == s.length())
        {
            return s;
        }
        final StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default ->
                {
                    if (needsEscape(c))
                    {
                        b.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    }
                    else
                    {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /**
     * @param t a throwable about to be logged, or null.
     * @return {@code t} itself when no message in it (causes and suppressed ones included) needs escaping;
     *         else a stand-in that prints the same stack trace with every message escaped.
     */
    public static Throwable safe(final Throwable t)
    {
        return t == null || clean(t, 0) ? t : new Escaped(t, 0);
    }

    private static boolean clean(final Throwable t, final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            return true;
        }
        final String text = t.toString();
        if (!escape(text).equals(text) || (t.getCause() != null && t.getCause() != t && !clean(t.getCause(), depth + 1)))
        {
            return false;
        }
        for (final Throwable s : t.getSuppressed())
        {
            if (!clean(s, depth + 1))
            {
                return false;
            }
        }
        return true;
    }

    private static final int MAX_DEPTH = 16;

    /**
     * A throwable's escaped text with its stack trace, causes and suppressed throwables.
     */
    private static final class Escaped extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Escaped(final Throwable t, final int depth)
        {
            super(escape(t.toString()), t.getCause() == null || t.getCause() == t || depth >= MAX_DEPTH ? null : new Escaped(t.getCause(), depth + 1),
                true, true);
            setStackTrace(t.getStackTrace());
            if (depth < MAX_DEPTH)
            {
                for (final Throwable s : t.getSuppressed())
                {
                    addSuppressed(new Escaped(s, depth + 1));
                }
            }
        }

        @Override
        public String toString()
        {
            return getMessage();
        }
    }

    private static boolean needsEscape(final char c)
    {
        return c < 0x20 || c == '\\' || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';
    }
}
