package io.tidemark.engine;

import java.nio.file.Path;
import java.util.Random;

/**
 * Child JVM of {@link KillNineTest}: opens the log under the {@code batch} flush policy and appends
 * from two threads until it is killed, printing every acknowledged record on stdout as soon as its
 * append returns:
 *
 * <pre>
 *  READY end=N clean=B                    the log is open (recovered) and ends at N
 *  ACK offset value                       one line per record of an acknowledged append
 *  BAD reason                             an append was not acknowledged as synced (the parent fails)
 *  WINDOW records                         after each ACK block: the log's unsynced window, taken after the
 *                                         appends of every ACK printed so far returned
 * </pre>
 *
 * An optional fourth argument names another flush policy ({@code none}, {@code messages:N}): appends are
 * then of one record each and acknowledged as written, not synced.
 *
 * Values are {@code r<round>-t<thread>-<sequence>}; each thread appends one to three records at a time
 * and its sequence has no gaps, so the parent knows exactly what may follow the recovered log.
 */
public final class KillNineChild
{
    static final LogConfig CONFIG = LogConfig.builder()
        .segmentBytes(64 * 1024)
        .preallocateBytes(8192)
        .indexIntervalBytes(512)
        .flushPolicy(FlushPolicy.BATCH)
        .retentionMs(-1)
        .build();

    private KillNineChild()
    {
    }

    /**
     * @param args the partition directory, the round number and a seed.
     */
    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final int round = Integer.parseInt(args[1]);
        final long seed = Long.parseLong(args[2]);
        final FlushPolicy policy = args.length > 3 ? FlushPolicy.parse(args[3]) : FlushPolicy.BATCH;
        final Log log = Log.options(dir).config(CONFIG).flushPolicy(policy).open();
        say("READY end=" + log.logEndOffset() + " clean=" + log.recoveryReport().cleanShutdown());
        final Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++)
        {
            final int thread = t;
            threads[t] = new Thread(() -> append(log, policy, round, thread, new Random(seed * 31 + thread)), "appender-" + t);
            threads[t].start();
        }
        // runs until killed; the parent never lets it finish
    }

    private static void append(final Log log, final FlushPolicy policy, final int round, final int thread, final Random random)
    {
        final boolean batch = policy.kind() == FlushPolicy.Kind.BATCH;
        int sequence = 0;
        while (true)
        {
            final int n = batch ? 1 + random.nextInt(3) : 1;
            final String[] values = new String[n];
            for (int i = 0; i < n; i++)
            {
                values[i] = "r" + round + "-t" + thread + "-" + (sequence + i);
            }
            final AppendResult r = Batches.append(log, System.currentTimeMillis(), values);
            if (!r.succeeded() || batch && r.durability() != Durability.SYNCED)
            {
                say("BAD " + r);
                return;
            }
            final StringBuilder acks = new StringBuilder();
            for (int i = 0; i < n; i++)
            {
                acks.append("ACK ").append(r.baseOffset() + i).append(' ').append(values[i]).append('\n');
            }
            sayAcks(acks.toString(), log);
            sequence += n;
        }
    }

    private static void say(final String line)
    {
        sayRaw(line + "\n");
    }

    /** The window is taken under the same lock as the output, after every printed append returned. */
    private static synchronized void sayAcks(final String acks, final Log log)
    {
        System.out.print(acks + "WINDOW " + log.unsyncedWindow().records() + "\n");
        System.out.flush();
    }

    private static synchronized void sayRaw(final String lines)
    {
        System.out.print(lines);
        System.out.flush();
    }
}
