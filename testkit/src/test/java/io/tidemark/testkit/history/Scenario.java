package io.tidemark.testkit.history;

/**
 * Builds small synthetic histories for the checker tests: one producer process 1 and consumers, with a
 * manual clock that moves 1 ms per event.
 */
final class Scenario
{
    static final int P = 0;

    final ManualClock clock = new ManualClock();
    final History history = new History(clock);
    final FinalRead.Builder finalRead = FinalRead.builder();

    History.Send invoke(final int process, final long value)
    {
        clock.advanceMs(1);
        return history.invokeSend(process, P, value);
    }

    /** Sends and acknowledges {@code value} at {@code offset}. */
    Scenario ack(final long value, final long offset)
    {
        final History.Send s = invoke(1, value);
        clock.advanceMs(1);
        s.ok(offset);
        return this;
    }

    Scenario fail(final long value)
    {
        final History.Send s = invoke(1, value);
        clock.advanceMs(1);
        s.fail("NOT_ENOUGH_REPLICAS: rejected before append");
        return this;
    }

    Scenario info(final long value)
    {
        final History.Send s = invoke(1, value);
        clock.advanceMs(1);
        s.info("request timed out");
        return this;
    }

    /** A poll by {@code process} returning {@code offsetValuePairs} of partition P. */
    Scenario poll(final int process, final String group, final long... offsetValuePairs)
    {
        return pollWithHw(process, group, -1, offsetValuePairs);
    }

    Scenario pollWithHw(final int process, final String group, final long hw, final long... offsetValuePairs)
    {
        clock.advanceMs(1);
        final History.Poll poll = history.invokePoll(process, group);
        final PollRecords.Builder records = PollRecords.builder();
        for (int i = 0; i < offsetValuePairs.length; i += 2)
        {
            records.add(P, offsetValuePairs[i], offsetValuePairs[i + 1]);
        }
        if (hw >= 0)
        {
            records.highWatermark(P, hw);
        }
        clock.advanceMs(1);
        poll.ok(records.build());
        return this;
    }

    Scenario commit(final int process, final String group, final long offset)
    {
        clock.advanceMs(1);
        final History.Commit c = history.invokeCommit(process, group, P, offset);
        clock.advanceMs(1);
        c.ok();
        return this;
    }

    /** The final read of partition P: {@code [0, end)} with {@code offsetValuePairs}. */
    FinalRead.LogBuilder finalLog(final long end, final long... offsetValuePairs)
    {
        final FinalRead.LogBuilder log = finalRead.partition(P, 0, end);
        for (int i = 0; i < offsetValuePairs.length; i += 2)
        {
            log.add(offsetValuePairs[i], offsetValuePairs[i + 1]);
        }
        return log;
    }

    Report check(final Contract contract)
    {
        return new Checker(contract).seed(7).check(history, finalRead.build());
    }
}
