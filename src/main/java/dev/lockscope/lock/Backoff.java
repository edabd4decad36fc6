package dev.lockscope.lock;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * An exponential back-off between a minimum and a maximum wait: it doubles after each wait in vain and starts
 * again from the minimum after progress. Mutable: one thread at a time (each retrying call has its own).
 */
public final class Backoff {

    /** What a back-off grows to when doubling leaves nothing (a zero minimum): a retry loop never spins. */
    static final long FLOOR_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final long minNanos;
    private final long maxNanos;
    private long currentNanos;

    private Backoff(long minNanos, long maxNanos) {
        if (minNanos < 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("back-off from " + minNanos + " ns to " + maxNanos + " ns");
        }
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.currentNanos = minNanos;
    }

    /** Starts at {@code min}, never grows past {@code max}. */
    public static Backoff between(Duration min, Duration max) {
        return new Backoff(min.toNanos(), max.toNanos());
    }

    /** The wait this back-off stands at now. */
    public long currentNanos() {
        return currentNanos;
    }

    /**
     * The current wait with jitter: uniform between half of it and all of it, so waiters that started together
     * do not retry together.
     */
    public long jitteredNanos() {
        return jitteredNanos(ThreadLocalRandom.current());
    }

    long jitteredNanos(RandomGenerator random) {
        long half = currentNanos / 2;
        return half + random.nextLong(half + 1);
    }

    /** After a wait in vain: twice the wait, at most the maximum, and never zero. */
    public void grow() {
        long next = currentNanos > maxNanos / 2 ? maxNanos : currentNanos * 2;
        currentNanos = next > 0 ? next : FLOOR_NANOS;
    }

    /** After progress: back to the minimum. */
    public void reset() {
        currentNanos = minNanos;
    }

    @Override
    public String toString() {
        return "Backoff[" + currentNanos + " ns in " + minNanos + ".." + maxNanos + " ns]";
    }
}
