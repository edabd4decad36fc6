package dev.lockscope.lock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link LockClock} that moves only when a test advances it. Any thread. */
final class HandAdvancedClock implements LockClock {

    /** Starts near the top of the range, so a difference that wraps is exercised rather than assumed. */
    private final AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - Duration.ofSeconds(5).toNanos());
    private final AtomicLong wallMillis = new AtomicLong(1_700_000_000_000L);

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        wallMillis.addAndGet(d.toMillis());
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long wallMillis() {
        return wallMillis.get();
    }
}
