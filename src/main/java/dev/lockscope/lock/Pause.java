package dev.lockscope.lock;

import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;

/**
 * The one sleep of the lock core's retry loops: an interrupt becomes an {@link InterruptedIOException} (the loops
 * throw IOException) with the thread's interrupt status kept. Any thread.
 */
public final class Pause {

    private Pause() {
    }

    /**
     * Sleeps {@code nanos} (nothing when not positive).
     *
     * @param during what was being waited for, as the interruption's message ends: "interrupted while " + during
     */
    public static void nanos(long nanos, String during) throws InterruptedIOException {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + during);
        }
    }
}
