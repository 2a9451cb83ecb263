package io.tidemark.testkit;

/**
 * JUnit tag names. Unit tests carry no tag. {@code slow} is excluded from the default build and runs
 * with {@code -Pslow}.
 */
public final class Tags
{
    /** Several components together, loopback sockets, ephemeral ports. */
    public static final String INTEGRATION = "integration";
    /** Crash, corruption and simulation tests; bounded seeds in the default build. */
    public static final String FAULT = "fault";
    /** Soaks and long matrices; only with {@code -Pslow}. */
    public static final String SLOW = "slow";

    private Tags()
    {
    }
}
