package dev.lockscope.ui.common;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs every file-system call of the inspector off the UI thread, with a timeout, and hands the
 * outcome back on the UI thread. Any thread may submit; callbacks run on the UI executor.
 *
 * <p>A call on a hung NFS server can block a thread for minutes and cannot be interrupted. So a timeout
 * does not cancel the work: it tells the user in time and lets the caller avoid piling more calls onto
 * the same dead mount (see {@link Call#finished()}).
 */
public final class BackgroundIo {

    private final Executor io;
    private final Executor ui;
    private final Duration timeout;

    /**
     * @param io      where file-system work runs (tests pass {@code Runnable::run})
     * @param ui      where callbacks run (the FX thread in the app, {@code Runnable::run} in tests)
     * @param timeout how long before the user is told that the file system does not answer
     */
    public BackgroundIo(Executor io, Executor ui, Duration timeout) {
        this.io = Objects.requireNonNull(io, "io");
        this.ui = Objects.requireNonNull(ui, "ui");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Synchronous I/O and callbacks on the calling thread: for view-model tests. */
    public static BackgroundIo synchronous() {
        return new BackgroundIo(Runnable::run, Runnable::run, Duration.ofSeconds(30));
    }

    /** A pool of daemon threads: hung calls must never keep the JVM alive after the window closes. */
    public static ExecutorService daemonPool() {
        AtomicInteger n = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lockscope-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A BackgroundIo that runs its work one call at a time, in the order submitted, on this one's I/O
     * executor: for a file with one writer, where a later save must never be overtaken by an earlier one.
     */
    public BackgroundIo serial() {
        return new BackgroundIo(new SerialExecutor(io), ui, timeout);
    }

    /** Runs tasks one after another on {@code delegate} (the pattern of {@link Executor}'s documentation). Any thread. */
    private static final class SerialExecutor implements Executor {
        private final java.util.ArrayDeque<Runnable> tasks = new java.util.ArrayDeque<>();
        private final Executor delegate;
        private Runnable active;

        SerialExecutor(Executor delegate) {
            this.delegate = delegate;
        }

        @Override
        public synchronized void execute(Runnable r) {
            tasks.add(() -> {
                try {
                    r.run();
                } finally {
                    scheduleNext();
                }
            });
            if (active == null) {
                scheduleNext();
            }
        }

        private synchronized void scheduleNext() {
            active = tasks.poll();
            if (active != null) {
                delegate.execute(active);
            }
        }
    }

    public Duration timeout() {
        return timeout;
    }

    /** A submitted call: {@link #finished()} completes when the work itself ends, however long it takes. */
    public record Call<T>(CompletableFuture<T> finished) {
        public boolean isRunning() {
            return !finished.isDone();
        }
    }

    /**
     * Runs {@code work} in the background.
     *
     * @param what      what the work does, in words ("reading /shared/locks"), for timeout messages
     * @param onSuccess called on the UI executor with the result
     * @param onFailure called on the UI executor with the failure (its cause and a message for people),
     *                  when the work fails or does not finish within the timeout; it is called at most once
     */
    public <T> Call<T> submit(String what, Callable<T> work, Consumer<T> onSuccess, Consumer<IoFailure> onFailure) {
        return submit(what, timeout, work, onSuccess, onFailure);
    }

    /** As {@link #submit(String, Callable, Consumer, Consumer)}, with its own timeout for slow but finite work. */
    public <T> Call<T> submit(String what, Duration limit, Callable<T> work, Consumer<T> onSuccess,
                              Consumer<IoFailure> onFailure) {
        CompletableFuture<T> finished = new CompletableFuture<>();
        try {
            io.execute(() -> {
                try {
                    finished.complete(work.call());
                } catch (Throwable t) {
                    finished.completeExceptionally(t);
                }
            });
        } catch (RuntimeException rejected) {
            finished.completeExceptionally(rejected);
        }
        finished.copy().orTimeout(limit.toMillis(), TimeUnit.MILLISECONDS).whenComplete((value, error) ->
                ui.execute(() -> {
                    if (error == null) {
                        onSuccess.accept(value);
                    } else {
                        onFailure.accept(IoFailure.of(what, unwrap(error), limit));
                    }
                }));
        return new Call<>(finished);
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
