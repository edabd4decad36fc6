package dev.lockscope.bench;

/**
 * The timestamps of one benchmark operation, all {@link System#nanoTime()} of the worker that did it.
 * On Linux HotSpot that is CLOCK_MONOTONIC, shared by every process of the machine, so timings of
 * different workers can be compared (the runner checks this before it uses them). Immutable; any thread.
 *
 * @param worker     the worker's index
 * @param startNanos when the operation was asked for (before the acquire)
 * @param lockedNanos when the lock was held (the acquire returned)
 * @param releasingNanos when the holder began to let go (just before the release call)
 * @param doneNanos  when the operation returned (after the release)
 * @param value      COUNTER: the counter value this operation wrote; CYCLE: -1
 */
public record OpTiming(int worker, long startNanos, long lockedNanos, long releasingNanos, long doneNanos,
                       long value) {

    /** The operation's latency: request to return. */
    public long latencyNanos() {
        return doneNanos - startNanos;
    }

    /** One line of a worker's result file. */
    String toLine() {
        return startNanos + " " + lockedNanos + " " + releasingNanos + " " + doneNanos + " " + value;
    }

    static OpTiming parse(int worker, String line) {
        String[] f = line.trim().split(" ");
        if (f.length != 5) {
            throw new IllegalArgumentException("bad result line from worker " + worker + ": '" + line + "'");
        }
        return new OpTiming(worker, Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Long.parseLong(f[3]), Long.parseLong(f[4]));
    }
}
