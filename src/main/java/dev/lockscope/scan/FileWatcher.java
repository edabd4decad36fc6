package dev.lockscope.scan;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.LinkLock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows a few named entries of one directory (a record file and its lock) the way
 * {@link DirectoryWatcher} follows a whole directory: WatchService events on local filesystems, polling
 * on network ones ({@link LinkLock#isNetworkType}), and a slow poll everywhere. Each check lstats only
 * the watched names, so it costs the same in a directory of 10 entries as in one of 10,000 (a second
 * {@link DirectoryWatcher} would list and lstat them all again). Methods may be called from any thread;
 * the listener is called on the watcher's own thread, one call at a time.
 *
 * <p>A change is a different (inode, link count, size, mtime, type), or an entry appearing or going. On
 * a filesystem with whole-second mtimes (sshfs) two saves in one second with one size (record files are
 * padded to size classes) look alike, so after a change with a whole-second mtime the next
 * {@link #COARSE_RECHECKS} checks report the name again.
 */
public final class FileWatcher implements AutoCloseable {

    /** Checks that re-report a change whose mtime has whole seconds (see the class comment). */
    static final int COARSE_RECHECKS = 2;

    /** Receives the changes. Called on the watcher's thread. */
    public interface Listener {
        /** {@code names}: the watched names whose entry changed, appeared or went since the last call. */
        void onChange(Set<String> names);

        /** A check failed as a whole (the directory is gone or unreadable); the watcher keeps checking. */
        default void onError(Exception error) {
        }
    }

    private enum Signal { EVENT, REFRESH, STOP }

    private final Path directory;
    private final Set<String> names;
    private final Listener listener;
    private final WatchOptions options;
    private final boolean network;
    private final WatchService watchService;
    private final Duration pollInterval;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Thread checkThread;
    private final Thread eventThread;
    private volatile boolean closed;

    private FileWatcher(Path directory, Set<String> names, WatchOptions options, Listener listener, boolean network,
                        WatchService ws) {
        this.directory = directory;
        this.names = names;
        this.options = options;
        this.listener = listener;
        this.network = network;
        this.watchService = ws;
        this.pollInterval = network ? options.networkPollInterval() : options.localPollInterval();
        this.checkThread = new Thread(this::checkLoop, "lockscope-file-watch " + directory);
        this.checkThread.setDaemon(true);
        if (ws != null) {
            this.eventThread = new Thread(this::eventLoop, "lockscope-file-watch-events " + directory);
            this.eventThread.setDaemon(true);
        } else {
            this.eventThread = null;
        }
    }

    /**
     * Starts following {@code names} (plain file names, no separators) in {@code directory}. The first check
     * runs at once and reports every name that exists.
     *
     * @throws IOException when the directory cannot be examined at all
     */
    public static FileWatcher start(Path directory, Set<String> names, WatchOptions options, Listener listener)
            throws IOException {
        Objects.requireNonNull(listener, "listener");
        Path dir = directory.toAbsolutePath().normalize();
        for (String n : names) {
            if (n.isEmpty() || n.contains("/") || n.equals(".") || n.equals("..")) {
                throw new IllegalArgumentException("not a plain file name: '" + n + "'");
            }
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
                ws = null; // no events (inotify watches exhausted, directory missing): polling still works
            }
        }
        FileWatcher w = new FileWatcher(dir, Set.copyOf(names), options, listener, network, ws);
        w.checkThread.start();
        if (w.eventThread != null) {
            w.eventThread.start();
        }
        return w;
    }

    /** True when WatchService events trigger checks; false when it only polls. */
    public boolean usesEvents() {
        return watchService != null;
    }

    /** The longest time between two checks. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /** Asks for a check now. Returns at once. */
    public void refreshNow() {
        signals.offer(Signal.REFRESH);
    }

    /** Stops both threads and waits briefly for them. No listener call starts after this returns. */
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
        if (Thread.currentThread() != checkThread) {
            try {
                checkThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkLoop() {
        Map<String, FileFacts> previous = new HashMap<>();
        Map<String, Integer> recheck = new HashMap<>();
        boolean first = true;
        while (!closed) {
            try {
                Set<String> changed = new TreeSet<>();
                for (String name : names) {
                    FileFacts now = facts(directory.resolve(name));
                    boolean differs = first ? now != null : !Objects.equals(previous.get(name), now);
                    if (differs && now != null && now.mtimeMillis() % 1000 == 0) {
                        recheck.put(name, COARSE_RECHECKS);
                    } else if (!differs && recheck.getOrDefault(name, 0) > 0) {
                        recheck.merge(name, -1, Integer::sum);
                        differs = true;
                    }
                    if (differs) {
                        changed.add(name);
                    }
                    if (now == null) {
                        previous.remove(name);
                    } else {
                        previous.put(name, now);
                    }
                }
                first = false;
                if (!changed.isEmpty() && !closed) {
                    listener.onChange(new LinkedHashSet<>(changed));
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    try {
                        listener.onError(e);
                    } catch (RuntimeException ignored) {
                        // keep checking
                    }
                }
            }
            if (!awaitNext()) {
                break;
            }
        }
    }

    /**
     * The entry's facts, or null when absent. On a network filesystem the name is opened first (never
     * following a link): the open revalidates the client's cached attributes (close-to-open), so the
     * lstat that follows is fresh rather than up to a minute old.
     */
    private FileFacts facts(Path p) throws IOException {
        if (network) {
            try (FileChannel ignored = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                // opening is the point
            } catch (IOException e) {
                // absent, a symlink, unreadable: the lstat below tells which
            }
        }
        return FileFacts.lstatOrNull(p);
    }

    private boolean awaitNext() {
        try {
            Signal s = signals.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
            if (s == Signal.STOP || closed) {
                return false;
            }
            if (s == Signal.EVENT) {
                long settle = options.eventSettle().toMillis();
                if (settle > 0) {
                    Thread.sleep(settle);
                }
            }
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
                if (ev.kind() == StandardWatchEventKinds.OVERFLOW
                        || ev.context() instanceof Path p && names.contains(p.toString())) {
                    relevant = true;
                }
            }
            boolean valid = key.reset();
            if (relevant) {
                signals.offer(Signal.EVENT);
            }
            if (!valid) {
                return; // the directory is gone: polling goes on and reports it
            }
        }
    }
}
