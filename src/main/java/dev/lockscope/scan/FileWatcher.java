package dev.lockscope.scan;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.FilesystemType;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Follows a few named entries of one directory (a record file and its lock) the way
 * {@link DirectoryWatcher} follows a whole directory: WatchService events on local filesystems, polling
 * on network ones ({@link FilesystemType#isNetwork}), and a slow poll everywhere. Each check lstats only
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

    private final Path directory;
    private final Set<String> names;
    private final Listener listener;
    private final boolean network;
    private final WatchLoop loop;
    // Touched by the loop's thread only.
    private final Map<String, FileFacts> previous = new HashMap<>();
    private final Map<String, Integer> recheck = new HashMap<>();
    private boolean first = true;

    private FileWatcher(Path directory, Set<String> names, Listener listener, RefreshSignals signals) {
        this.directory = directory;
        this.names = names;
        this.listener = listener;
        this.network = signals.network();
        this.loop = new WatchLoop(signals, "lockscope-file-watch " + directory, this::check, listener::onError);
    }

    /**
     * Starts following {@code names} (plain file names, no separators) in {@code directory}. The first check
     * runs at once and reports every name that exists; a directory that is missing or unreadable is
     * reported through {@link Listener#onError} at each check, and its names as absent.
     */
    public static FileWatcher start(Path directory, Set<String> names, WatchOptions options, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        Path dir = directory.toAbsolutePath().normalize();
        for (String n : names) {
            if (n.isEmpty() || n.contains("/") || n.equals(".") || n.equals("..")) {
                throw new IllegalArgumentException("not a plain file name: '" + n + "'");
            }
        }
        Set<String> watched = Set.copyOf(names);
        RefreshSignals signals = RefreshSignals.open(dir, options, watched::contains,
                "lockscope-file-watch-events " + dir);
        FileWatcher w = new FileWatcher(dir, watched, listener, signals);
        w.loop.start();
        return w;
    }

    /** True when WatchService events trigger checks; false when it only polls. */
    public boolean usesEvents() {
        return loop.usesEvents();
    }

    /** The longest time between two checks. */
    public Duration pollInterval() {
        return loop.pollInterval();
    }

    /** Asks for a check now. Returns at once. */
    public void refreshNow() {
        loop.refreshNow();
    }

    /** Stops both threads and waits briefly for them. No listener call starts after this returns. */
    @Override
    public void close() {
        loop.close();
    }

    /** One check of every watched name; the changed ones go to the listener. */
    private void check() throws IOException {
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
        if (!changed.isEmpty() && !loop.isClosed()) {
            listener.onChange(new LinkedHashSet<>(changed));
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
}
