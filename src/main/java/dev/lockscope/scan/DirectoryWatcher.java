package dev.lockscope.scan;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.FilesystemType;
import dev.lockscope.lock.LockFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Keeps a lock directory's snapshot current and reports each refresh as a {@link SnapshotDiff}.
 * Methods may be called from any thread; the listener is called on the watcher's own scanner thread
 * (see {@link ScanListener}).
 *
 * <p>On local filesystems a WatchService triggers a refresh as soon as an entry changes, and a slow
 * poll ({@link WatchOptions#localPollInterval()}) keeps ages moving. On NFS, CIFS/SMB and FUSE
 * ({@link FilesystemType#isNetwork}) no events arrive for other hosts' changes, so it polls every
 * {@link WatchOptions#networkPollInterval()}. {@link WatchOptions#forcePolling()} turns events off.
 *
 * <pre>{@code
 * try (DirectoryWatcher w = DirectoryWatcher.start(dir, WatchOptions.defaults(), diff -> ...)) { ... }
 * }</pre>
 */
public final class DirectoryWatcher implements AutoCloseable {

    private final Path directory;
    private final DirectoryScanner scanner;
    private final ScanListener listener;
    private final WatchLoop loop;
    /** The last snapshot, for the next diff: touched by the loop's thread only. */
    private DirectorySnapshot previous;
    private volatile DirectorySnapshot latest;
    private volatile long refreshCount;

    private DirectoryWatcher(Path directory, ScanListener listener, RefreshSignals signals) {
        this.directory = directory;
        this.listener = listener;
        this.scanner = new DirectoryScanner(directory);
        this.previous = DirectorySnapshot.empty(directory);
        this.latest = previous;
        this.loop = new WatchLoop(signals, "lockscope-scan " + directory, this::refresh,
                e -> listener.onError(directory, e));
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
        // Our own server-clock probes (and everybody's) would otherwise trigger refreshes forever.
        RefreshSignals signals = RefreshSignals.open(dir, options, name -> !name.startsWith(LockFile.PROBE_PREFIX),
                "lockscope-scan-events " + dir);
        DirectoryWatcher w = new DirectoryWatcher(dir, listener, signals);
        w.loop.start();
        return w;
    }

    public Path directory() {
        return directory;
    }

    /** True when WatchService events trigger refreshes; false when it only polls. */
    public boolean usesEvents() {
        return loop.usesEvents();
    }

    /** The interval between polls (refreshes happen at least this often). */
    public Duration pollInterval() {
        return loop.pollInterval();
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
        loop.refreshNow();
    }

    /** Stops both threads and waits (briefly) for them. No listener call starts after this returns. */
    @Override
    public void close() {
        loop.close();
    }

    /** One refresh, reported as a diff; a listener's exception is reported to its onError like a failed refresh. */
    private void refresh() throws IOException {
        DirectorySnapshot now = scanner.refresh();
        SnapshotDiff diff = SnapshotDiff.between(previous, now);
        previous = now;
        latest = now;
        refreshCount++;
        if (!loop.isClosed()) {
            listener.onRefresh(diff);
        }
    }
}
