package io.tidemark.testkit.history;

/**
 * How long the cluster took to acknowledge a send again after a fault was healed.
 *
 * @param fault          the fault's description.
 * @param healedAtNanos  when it was healed, on the history's clock.
 * @param recoveryNanos  time from the heal to the first acknowledgement completed after it, or -1 if none.
 * @param attempted      whether any send was pending or invoked after the heal.
 */
public record Recovery(String fault, long healedAtNanos, long recoveryNanos, boolean attempted)
{
    /** @return true when a send was acknowledged after the heal. */
    public boolean recovered()
    {
        return recoveryNanos >= 0;
    }

    @Override
    public String toString()
    {
        final String when = String.format("healed at %.3fs", healedAtNanos / 1e9);
        if (recovered())
        {
            return fault + " " + when + ": first ack after " + String.format("%.3fs", recoveryNanos / 1e9);
        }
        return fault + " " + when + ": " + (attempted ? "no ack after the heal" : "no sends after the heal");
    }
}
