package dev.lockscope.lock;

import java.time.Duration;
import java.util.Objects;

/**
 * How to take a lock. Immutable; any thread. Start from {@link #defaults()} and use the withers.
 *
 * @param lease         how long the lock stays valid without a heartbeat; heartbeats come every lease/3
 * @param backoffMin    first back-off delay while contended
 * @param backoffMax    back-off cap, so waiters do not flood the server
 * @param breakStale    whether a waiter breaks a lock judged DEAD or EXPIRED (through the safe break)
 * @param heartbeat     whether the handle renews its lease in the background
 * @param watch         whether a waiter on a local filesystem may be woken early by a WatchService event
 * @param purpose       free text recorded in the owner record, or null
 * @param processes     the process table used for DEAD verdicts
 * @param runtime       the clock, background threads and registries the lock uses; tests pass one of their own
 */
public record LockOptions(Duration lease, Duration backoffMin, Duration backoffMax, boolean breakStale,
                          boolean heartbeat, boolean watch, String purpose, ProcessTable processes,
                          LockRuntime runtime) {

    /** Options on the {@linkplain LockRuntime#defaultRuntime() default runtime}. */
    public LockOptions(Duration lease, Duration backoffMin, Duration backoffMax, boolean breakStale,
                       boolean heartbeat, boolean watch, String purpose, ProcessTable processes) {
        this(lease, backoffMin, backoffMax, breakStale, heartbeat, watch, purpose, processes,
                LockRuntime.defaultRuntime());
    }

    public LockOptions {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(backoffMin, "backoffMin");
        Objects.requireNonNull(backoffMax, "backoffMax");
        Objects.requireNonNull(processes, "processes");
        if (lease.toMillis() < 300) {
            throw new IllegalArgumentException("lease must be at least 300 ms, got " + lease.toMillis() + " ms");
        }
        if (lease.compareTo(Duration.ofMillis(LockOwner.MAX_LEASE_MILLIS)) > 0) {
            throw new IllegalArgumentException("lease must be at most 24 h (readers judge any longer lease as 24 h), got "
                    + lease.getSeconds() + " s");
        }
        if (backoffMin.isNegative() || backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("back-off must satisfy 0 <= min <= max");
        }
    }

    public static LockOptions defaults() {
        return new LockOptions(Duration.ofSeconds(30), Duration.ofMillis(1), Duration.ofMillis(250), true, true,
                true, null, ProcessTable.SYSTEM);
    }

    public LockOptions withLease(Duration d) {
        return new LockOptions(d, backoffMin, backoffMax, breakStale, heartbeat, watch, purpose, processes, runtime);
    }

    public LockOptions withBackoff(Duration min, Duration max) {
        return new LockOptions(lease, min, max, breakStale, heartbeat, watch, purpose, processes, runtime);
    }

    public LockOptions withBreakStale(boolean b) {
        return new LockOptions(lease, backoffMin, backoffMax, b, heartbeat, watch, purpose, processes, runtime);
    }

    public LockOptions withHeartbeat(boolean b) {
        return new LockOptions(lease, backoffMin, backoffMax, breakStale, b, watch, purpose, processes, runtime);
    }

    public LockOptions withWatch(boolean b) {
        return new LockOptions(lease, backoffMin, backoffMax, breakStale, heartbeat, b, purpose, processes, runtime);
    }

    public LockOptions withPurpose(String p) {
        return new LockOptions(lease, backoffMin, backoffMax, breakStale, heartbeat, watch, p, processes, runtime);
    }

    public LockOptions withProcesses(ProcessTable p) {
        return new LockOptions(lease, backoffMin, backoffMax, breakStale, heartbeat, watch, purpose, p, runtime);
    }

    public LockOptions withRuntime(LockRuntime r) {
        return new LockOptions(lease, backoffMin, backoffMax, breakStale, heartbeat, watch, purpose, processes, r);
    }
}
