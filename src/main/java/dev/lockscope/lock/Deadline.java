package dev.lockscope.lock;

import java.time.Duration;
import java.util.Objects;

/**
 * A point on a {@link LockClock} by which a wait must give up, and the budget it was set from (timeout messages
 * name it). Immutable; any thread.
 */
public final class Deadline {

    private final LockClock clock;
    private final Duration budget;
    private final long atNanos;

    private Deadline(LockClock clock, Duration budget, long atNanos) {
        this.clock = clock;
        this.budget = budget;
        this.atNanos = atNanos;
    }

    /** {@code budget} from now on {@code clock}; a negative budget is none. */
    public static Deadline after(Duration budget, LockClock clock) {
        Objects.requireNonNull(clock, "clock");
        long nanos = Math.max(0, budget.toNanos());
        return new Deadline(clock, budget, clock.nanoTime() + nanos);
    }

    /** The duration this deadline was set from, as given. */
    public Duration budget() {
        return budget;
    }

    /** Nanoseconds left; zero or negative once the deadline has come. */
    public long remainingNanos() {
        // A difference, not a comparison of readings: monotonic clocks may wrap.
        return atNanos - clock.nanoTime();
    }

    /** Whether the deadline has come: nothing remains. */
    public boolean expired() {
        return remainingNanos() <= 0;
    }

    /** {@code nanos}, or what remains if that is less; never negative. */
    public long cap(long nanos) {
        return Math.max(0, Math.min(nanos, remainingNanos()));
    }

    @Override
    public String toString() {
        return "Deadline[budget=" + budget + ", remaining=" + remainingNanos() + " ns]";
    }
}
