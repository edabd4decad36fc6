package dev.lockscope.scan;

import dev.lockscope.lock.FilesystemType;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * When a watcher's refresh thread should look again: a WatchService event for a name it cares about (on
 * local filesystems), a refresh request, or the poll interval running out (network filesystems poll
 * only, {@link FilesystemType#isNetwork}). Shared by {@link DirectoryWatcher} and {@link FileWatcher}.
 * {@link #awaitNext()} is for the one refresh thread; the other methods may be called from any thread.
 */
final class RefreshSignals implements AutoCloseable {

    private enum Signal { EVENT, REFRESH, STOP }

    private final WatchOptions options;
    private final boolean network;
    private final WatchService watchService;
    private final Predicate<String> relevant;
    private final Duration pollInterval;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Thread eventThread;
    private volatile boolean closed;

    private RefreshSignals(WatchOptions options, boolean network, WatchService ws, Predicate<String> relevant,
                           String threadName) {
        this.options = options;
        this.network = network;
        this.watchService = ws;
        this.relevant = relevant;
        this.pollInterval = network ? options.networkPollInterval() : options.localPollInterval();
        if (ws != null) {
            eventThread = new Thread(this::eventLoop, threadName);
            eventThread.setDaemon(true);
        } else {
            eventThread = null;
        }
    }

    /**
     * Listens to {@code dir}: events for names {@code relevant} accepts where the filesystem delivers them,
     * polling everywhere. The event thread starts with {@link #start()}.
     */
    static RefreshSignals open(Path dir, WatchOptions options, Predicate<String> relevant, String threadName) {
        String type;
        try {
            type = Files.getFileStore(dir).type();
        } catch (IOException e) {
            type = "?";
        }
        boolean network = "?".equals(type) || FilesystemType.isNetwork(type);
        WatchService ws = null;
        if (!options.forcePolling() && !network) {
            try {
                ws = FileSystems.getDefault().newWatchService();
                dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException | UnsupportedOperationException e) {
                if (ws != null) {
                    try {
                        ws.close();
                    } catch (IOException ignored) {
                        // it was never used
                    }
                }
                ws = null; // e.g. inotify watches exhausted: polling still works
            }
        }
        return new RefreshSignals(options, network, ws, relevant, threadName);
    }

    void start() {
        if (eventThread != null) {
            eventThread.start();
        }
    }

    /** True when the directory is on a filesystem whose other hosts' changes produce no events. */
    boolean network() {
        return network;
    }

    boolean usesEvents() {
        return watchService != null;
    }

    Duration pollInterval() {
        return pollInterval;
    }

    void refreshNow() {
        signals.offer(Signal.REFRESH);
    }

    /** Waits for the poll interval, an event or a refresh request; false when closing. */
    boolean awaitNext() {
        try {
            Signal s = signals.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
            if (s == Signal.STOP || closed) {
                return false;
            }
            if (s == Signal.EVENT) {
                // A burst of changes (an acquire is claim + link) costs one refresh.
                long settle = options.eventSettle().toMillis();
                if (settle > 0) {
                    Thread.sleep(settle);
                }
            }
            // Coalesce whatever else arrived meanwhile.
            Signal more;
            while ((more = signals.poll()) != null) {
                if (more == Signal.STOP) {
                    return false;
                }
            }
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Wakes the refresh thread to stop and ends the event thread. */
    @Override
    public void close() {
        closed = true;
        signals.offer(Signal.STOP);
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException ignored) {
                // closing only wakes the event thread
            }
        }
    }

    /** Joins the event thread for at most {@code millis}. */
    void join(long millis) throws InterruptedException {
        if (eventThread != null) {
            eventThread.join(millis);
        }
    }

    private void eventLoop() {
        while (!closed) {
            WatchKey key;
            try {
                key = watchService.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            boolean any = false;
            for (WatchEvent<?> ev : key.pollEvents()) {
                if (ev.kind() == StandardWatchEventKinds.OVERFLOW
                        || ev.context() instanceof Path p && relevant.test(p.toString())) {
                    any = true;
                }
            }
            boolean valid = key.reset();
            if (any) {
                signals.offer(Signal.EVENT);
            }
            if (!valid) {
                return; // directory gone: polling continues and reports it
            }
        }
    }
}
