package dev.lockscope.record;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A holder's per-intent file operations (take, read, mark), one after another or overlapped. On a network
 * filesystem each is one or more round trips to the server and they are independent of each other, so a holder
 * with a batch of intents overlaps them on a few threads instead of paying the round trips in a row. The order of
 * application is the caller's: results come back in the order of the input. Any thread.
 */
final class IntentIo {
    /** Round trips in flight at once: enough to hide a network's latency, few enough not to flood its server. */
    static final int THREADS = 8;

    interface IoFunction<T, R> {
        R apply(T t) throws IOException;
    }

    private IntentIo() {
    }

    /** Daemon threads, made on first use: a process that never holds a lock on a network filesystem has none. */
    private static final class Pool {
        static final ExecutorService EXECUTOR = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "lockscope-intent-io");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * {@code f} applied to each of {@code in}, results in input order; overlapped when {@code overlap} and there
     * are two or more. The first
     * failure (an Error first, then an unchecked exception, then the first IOException in input order) is thrown after every call has ended, so none is left running.
     */
    static <T, R> List<R> each(boolean overlap, List<T> in, IoFunction<T, R> f) throws IOException {
        List<R> out = new ArrayList<>(in.size());
        if (!overlap || in.size() < 2) {
            for (T t : in) {
                out.add(f.apply(t));
            }
            return out;
        }
        List<Future<R>> futures = new ArrayList<>(in.size());
        for (T t : in) {
            futures.add(Pool.EXECUTOR.submit(() -> f.apply(t)));
        }
        IOException first = null;
        RuntimeException firstUnchecked = null;
        Error firstError = null;
        boolean interrupted = false;
        for (Future<R> fu : futures) {
            while (true) {
                try {
                    out.add(fu.get());
                    break;
                } catch (InterruptedException e) {
                    // Wait for the rest regardless: a take still in flight must be accounted for by the caller.
                    interrupted = true;
                } catch (ExecutionException e) {
                    out.add(null);
                    Throwable c = e.getCause();
                    if (c instanceof IOException io) {
                        first = first == null ? io : first;
                    } else if (c instanceof RuntimeException re) {
                        firstUnchecked = firstUnchecked == null ? re : firstUnchecked;
                    } else if (c instanceof Error err) {
                        firstError = firstError == null ? err : firstError;
                    } else {
                        first = first == null ? new IOException(c) : first;
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (firstError != null) {
            throw firstError;
        }
        if (firstUnchecked != null) {
            throw firstUnchecked;
        }
        if (first != null) {
            throw first;
        }
        return out;
    }
}
