package dev.lockscope.lock;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;

/** ESTALE handling: the name was replaced under us, so look it up again. Any thread. */
final class Retry {
    /** Gluster reports ESTALE for up to about a second after another client replaced a file. */
    static final long STALE_BUDGET_MILLIS = 3000;

    interface IoCall<T> {
        T call() throws IOException;
    }

    private Retry() {
    }

    static <T> T onStale(Path path, IoCall<T> call) throws IOException {
        long deadline = System.nanoTime() + STALE_BUDGET_MILLIS * 1_000_000L;
        long sleep = 1;
        while (true) {
            try {
                return call.call();
            } catch (IOException e) {
                if (!FileFacts.isStale(e) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while retrying a stale handle on " + path);
            }
            sleep = Math.min(sleep * 2, 100);
        }
    }
}
