package dev.lockscope.scan;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The thread that {@link DirectoryWatcher} and {@link FileWatcher} share: runs one round at once and then one per
 * {@link RefreshSignals} wake-up, reports a failed round without stopping, and stops both its threads on close.
 * Methods may be called from any thread; rounds and error reports run on the loop's own thread.
 */
final class WatchLoop implements AutoCloseable {

    /** One refresh or check. */
    interface Round {
        void run() throws IOException;
    }

    private final RefreshSignals signals;
    private final Round round;
    private final Consumer<Exception> onError;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param onError told of a round that threw (unless the loop is closed by then); what it throws is ignored
     */
    WatchLoop(RefreshSignals signals, String threadName, Round round, Consumer<Exception> onError) {
        this.signals = signals;
        this.round = round;
        this.onError = onError;
        this.thread = new Thread(this::loop, threadName);
        this.thread.setDaemon(true);
    }

    /** Starts the loop's thread and the signals' event thread. */
    void start() {
        thread.start();
        signals.start();
    }

    /** True once {@link #close} began: a round that finds it so should not call its listener. */
    boolean isClosed() {
        return closed;
    }

    boolean usesEvents() {
        return signals.usesEvents();
    }

    Duration pollInterval() {
        return signals.pollInterval();
    }

    void refreshNow() {
        signals.refreshNow();
    }

    /** Stops both threads and waits (briefly) for them. No round starts after this returns. */
    @Override
    public void close() {
        closed = true;
        signals.close();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(10_000);
                signals.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        while (!closed) {
            try {
                round.run();
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    try {
                        onError.accept(e);
                    } catch (RuntimeException ignored) {
                        // a listener that fails on errors too cannot be helped; keep going
                    }
                }
            }
            if (!signals.awaitNext()) {
                break;
            }
        }
    }
}
