package dev.lockscope.testing;

import dev.lockscope.lock.LockClock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link LockClock} that moves only when a test advances it, both clocks together: "a lease later" without
 * waiting a lease. Starts at the system's readings, so records written with it look ordinary. Any thread.
 */
public final class ManualLockClock implements LockClock {
    private final AtomicLong nanos;
    private final AtomicLong wallMillis;

    public ManualLockClock() {
        this(System.nanoTime(), System.currentTimeMillis());
    }

    private ManualLockClock(long nanos, long wallMillis) {
        this.nanos = new AtomicLong(nanos);
        this.wallMillis = new AtomicLong(wallMillis);
    }

    /**
     * A clock whose monotonic reading starts 5 s below {@code Long.MAX_VALUE}, so a test that advances it past
     * that exercises a difference that wraps rather than assumes it away.
     */
    public static ManualLockClock nearWrap() {
        return new ManualLockClock(Long.MAX_VALUE - Duration.ofSeconds(5).toNanos(), 1_700_000_000_000L);
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long wallMillis() {
        return wallMillis.get();
    }

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        wallMillis.addAndGet(d.toMillis());
    }

    @Override
    public String toString() {
        return "ManualLockClock(" + nanos.get() + " ns)";
    }
}
