package dev.lockscope.testing;

import dev.lockscope.lock.LockClock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link LockClock} that moves only when a test advances it, both clocks together: "a lease later" without
 * waiting a lease. Starts at the system's readings, so records written with it look ordinary. Any thread.
 */
public final class ManualLockClock implements LockClock {
    private final AtomicLong nanos = new AtomicLong(System.nanoTime());
    private final AtomicLong wallMillis = new AtomicLong(System.currentTimeMillis());

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
