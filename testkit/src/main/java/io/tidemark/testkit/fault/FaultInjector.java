package io.tidemark.testkit.fault;

/**
 * Carries out faults: {@link #start} breaks something, {@link #heal} repairs it (and returns only when it
 * is repaired, e.g. a restarted node is ready). Called by {@link FaultRunner}, one fault at a time.
 */
public interface FaultInjector
{
    /**
     * @param fault the fault to begin.
     * @throws Exception when it cannot be carried out (the run then fails).
     */
    void start(Fault fault) throws Exception;

    /**
     * @param fault the fault to end; called once for every started fault, even after a failure.
     * @throws Exception when it cannot be healed (the run then fails).
     */
    void heal(Fault fault) throws Exception;

    /**
     * @param kind a kind of fault.
     * @return true when this injector can carry it out.
     */
    default boolean supports(final FaultKind kind)
    {
        return true;
    }
}
