package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** ESTALE handling: the name was replaced under us, so look it up again. Any thread. */
final class Retry {
    /** Gluster reports ESTALE for up to about a second after another client replaced a file. */
    static final Duration STALE_BUDGET = Duration.ofMillis(3000);
    /** Look up again at once, then less and less often: the hand-off that caused it is over within milliseconds. */
    static final Duration STALE_FIRST_WAIT = Duration.ofMillis(1);
    static final Duration STALE_LONGEST_WAIT = Duration.ofMillis(100);

    interface IoCall<T> {
        T call() throws IOException;
    }

    private Retry() {
    }

    static <T> T onStale(Path path, IoCall<T> call) throws IOException {
        // The first try needs no clock: this runs on every poll of a waiting writer.
        try {
            return call.call();
        } catch (IOException e) {
            if (!FileFacts.isStale(e)) {
                throw e;
            }
        }
        Deadline deadline = Deadline.after(STALE_BUDGET, LockClock.SYSTEM);
        Backoff backoff = Backoff.between(STALE_FIRST_WAIT, STALE_LONGEST_WAIT);
        while (true) {
            Pause.nanos(backoff.currentNanos(), "retrying a stale handle on " + path);
            backoff.grow();
            try {
                return call.call();
            } catch (IOException e) {
                if (!FileFacts.isStale(e) || deadline.expired()) {
                    throw e;
                }
            }
        }
    }
}
