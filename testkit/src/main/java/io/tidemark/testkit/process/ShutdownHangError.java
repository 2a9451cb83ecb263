package io.tidemark.testkit.process;

/**
 * A node did not exit within the stop timeout after SIGTERM. The process was then sent SIGQUIT (a JVM
 * prints its threads to stdout) and killed; the message carries the tail of its output.
 */
public final class ShutdownHangError extends AssertionError
{
    private static final long serialVersionUID = 1L;

    private final String node;

    ShutdownHangError(final String node, final String message)
    {
        super(message);
        this.node = node;
    }

    /** @return the node that hung. */
    public String node()
    {
        return node;
    }
}
