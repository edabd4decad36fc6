package dev.lockscope.scan;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockFile;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a lock directory's snapshot current and reports each refresh as a {@link SnapshotDiff}.
 * Methods may be called from any thread; the listener is called on the watcher's own scanner thread
 * (see {@link ScanListener}).
 *
 * <p>On local filesystems a WatchService triggers a refresh as soon as an entry changes, and a slow
 * poll ({@link WatchOptions#localPollInterval()}) keeps ages moving. On NFS, CIFS/SMB and FUSE
 * ({@link LinkLock#isNetworkType}) no events arrive for other hosts' changes, so it polls every
 * {@link WatchOptions#networkPollInterval()}. {@link WatchOptions#forcePolling()} turns events off.
 *
 * <pre>{@code
 * try (DirectoryWatcher w = DirectoryWatcher.start(dir, WatchOptions.defaults(), diff -> ...)) { ... }
 * }</pre>
 */
public final class DirectoryWatcher implements AutoCloseable {

    private enum Signal { EVENT, REFRESH, STOP }

    private final Path directory;
    private final DirectoryScanner scanner;
    private final ScanListener listener;
    private final WatchOptions options;
    private final WatchService watchService;
    private final Duration pollInterval;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Thread scanThread;
    private final Thread eventThread;
    private volatile boolean closed;
    private volatile DirectorySnapshot latest;
    private volatile long refreshCount;

    private DirectoryWatcher(Path directory, WatchOptions options, ScanListener listener, boolean network,
                             WatchService ws) {
        this.directory = directory;
        this.options = options;
        this.listener = listener;
        this.scanner = new DirectoryScanner(directory);
        this.watchService = ws;
        this.pollInterval = network ? options.networkPollInterval() : options.localPollInterval();
        this.latest = DirectorySnapshot.empty(directory);
        this.scanThread = new Thread(this::scanLoop, "lockscope-scan " + directory);
        this.scanThread.setDaemon(true);
        if (ws != null) {
            this.eventThread = new Thread(this::eventLoop, "lockscope-scan-events " + directory);
            this.eventThread.setDaemon(true);
        } else {
            this.eventThread = null;
        }
    }

    /**
     * Starts watching {@code directory}. The first refresh runs at once on the scanner thread; its diff
     * lists every entry as added.
     *
     * @throws IOException naming the directory when it does not exist or is not a directory
     */
    public static DirectoryWatcher start(Path directory, WatchOptions options, ScanListener listener)
            throws IOException {
        Path dir = directory.toAbsolutePath().normalize();
        FileFacts f;
        try {
            f = FileFacts.lstat(dir);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory");
        }
        if (f.type() != FileFacts.Type.DIRECTORY && !Files.isDirectory(dir)) {
            throw new java.nio.file.FileSystemException(dir.toString(), null, "not a directory");
        }
        String type;
        try {
            type = Files.getFileStore(dir).type();
        } catch (IOException e) {
            type = "?";
        }
        boolean network = "?".equals(type) || LinkLock.isNetworkType(type);
        WatchService ws = null;
        if (!options.forcePolling() && !network) {
            try {
                ws = FileSystems.getDefault().newWatchService();
                dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
            } catch (IOException | UnsupportedOperationException e) {
                if (ws != null) {
                    ws.close();
                }
                ws = null; // e.g. inotify watches exhausted: polling still works
            }
        }
        DirectoryWatcher w = new DirectoryWatcher(dir, options, listener, network, ws);
        w.scanThread.start();
        if (w.eventThread != null) {
            w.eventThread.start();
        }
        return w;
    }

    public Path directory() {
        return directory;
    }

    /** True when WatchService events trigger refreshes; false when it only polls. */
    public boolean usesEvents() {
        return watchService != null;
    }

    /** The interval between polls (refreshes happen at least this often). */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** The latest snapshot (empty before the first refresh completes). */
    public DirectorySnapshot latest() {
        return latest;
    }

    /** How many refreshes have completed. */
    public long refreshCount() {
        return refreshCount;
    }

    /** Asks for a refresh now instead of at the next interval. Returns at once. */
    public void refreshNow() {
        signals.offer(Signal.REFRESH);
    }

    /** Stops both threads and waits (briefly) for them. No listener call starts after this returns. */
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
        if (Thread.currentThread() != scanThread) {
            try {
                scanThread.join(10_000);
                if (eventThread != null) {
                    eventThread.join(2_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void scanLoop() {
        DirectorySnapshot previous = DirectorySnapshot.empty(directory);
        while (!closed) {
            try {
                DirectorySnapshot now = scanner.refresh();
                SnapshotDiff diff = SnapshotDiff.between(previous, now);
                previous = now;
                latest = now;
                refreshCount++;
                if (closed) {
                    break;
                }
                try {
                    listener.onRefresh(diff);
                } catch (RuntimeException e) {
                    reportError(e);
                }
            } catch (IOException | RuntimeException e) {
                reportError(e);
            }
            if (!awaitNext()) {
                break;
            }
        }
    }

    private void reportError(Exception e) {
        if (closed) {
            return;
        }
        try {
            listener.onError(directory, e);
        } catch (RuntimeException ignored) {
            // a listener that fails on errors too cannot be helped; keep scanning
        }
    }

    /** Waits for the poll interval, an event or a refresh request; false when closing. */
    private boolean awaitNext() {
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

    private void eventLoop() {
        while (!closed) {
            WatchKey key;
            try {
                key = watchService.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            boolean relevant = false;
            for (WatchEvent<?> ev : key.pollEvents()) {
                if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                    relevant = true;
                } else if (ev.context() instanceof Path p) {
                    // Our own server-clock probes (and everybody's) would otherwise trigger refreshes forever.
                    if (!p.toString().startsWith(LockFile.PROBE_PREFIX)) {
                        relevant = true;
                    }
                }
            }
            boolean valid = key.reset();
            if (relevant) {
                signals.offer(Signal.EVENT);
            }
            if (!valid) {
                return; // directory gone: polling continues and reports it
            }
        }
    }
}
