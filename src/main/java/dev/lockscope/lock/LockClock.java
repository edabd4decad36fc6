package dev.lockscope.lock;

/**
 * The two clocks the lock core reads: a monotonic one for deadlines, back-off and lease renewal, and the wall clock
 * for what is written into owner records and audits. Production code uses {@link #SYSTEM}; tests pass a clock they
 * advance by hand, so a test of "after half a lease" does not sleep half a lease. Implementations must be safe to
 * call from any thread.
 */
public interface LockClock {

    /** The system clocks: {@link System#nanoTime()} and {@link System#currentTimeMillis()}. */
    LockClock SYSTEM = new LockClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long wallMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public String toString() {
            return "LockClock.SYSTEM";
        }
    };

    /** Monotonic nanoseconds; only differences mean anything, as with {@link System#nanoTime()}. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, as with {@link System#currentTimeMillis()}. */
    long wallMillis();
}
