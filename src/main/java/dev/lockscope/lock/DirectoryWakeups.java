package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Wakes waiters of one directory when a name in it is removed (a lock released, a claim or probe
 * removed), on local filesystems where the kernel reports it. Thread-safe; any thread may wait.
 *
 * <p>One WatchService per directory for the whole JVM, with one dispatching thread, instead of one
 * per contended acquisition: opening a WatchService starts a thread and an inotify instance, which
 * cost more than the wait it shortens when locks change hands hundreds of times a second. A waiter
 * reads {@link #generation()} before it tries the lock and then waits for it to change, so a release
 * between its try and its wait is never missed. The watcher closes itself after a few idle seconds.
 */
final class DirectoryWakeups {

    private static final ConcurrentHashMap<Path, DirectoryWakeups> OPEN = new ConcurrentHashMap<>();
    private static final long IDLE_CLOSE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Path dir;
    private final WatchService watch;
    private final Object changed = new Object();
    /** Per lock name ever waited for here, how often it was removed; other names are not kept. */
    private final java.util.HashMap<String, Long> generations = new java.util.HashMap<>();
    /** Bumped on OVERFLOW: events were lost, so every waiter must look. */
    private long overflows;
    private int waiters;
    private long lastUseNanos = System.nanoTime();
    private volatile boolean closed;

    private DirectoryWakeups(Path dir, WatchService watch) {
        this.dir = dir;
        this.watch = watch;
    }

    /** The shared watcher of {@code dir}, or null when this directory gives no events. */
    static DirectoryWakeups of(Path dir) {
        for (int attempt = 0; attempt < 3; attempt++) {
            DirectoryWakeups w = OPEN.get(dir);
            if (w == null) {
                w = open(dir);
                if (w == null) {
                    return null;
                }
                DirectoryWakeups raced = OPEN.putIfAbsent(dir, w);
                if (raced != null) {
                    w.close();
                    w = raced;
                } else {
                    w.start();
                }
            }
            if (w.use()) {
                return w;
            }
            // It closed itself for idleness just now; open a new one.
            OPEN.remove(dir, w);
        }
        return null;
    }

    private static DirectoryWakeups open(Path dir) {
        try {
            WatchService ws = FileSystems.getDefault().newWatchService();
            try {
                dir.register(ws, StandardWatchEventKinds.ENTRY_DELETE);
            } catch (IOException | RuntimeException e) {
                ws.close();
                return null;
            }
            return new DirectoryWakeups(dir, ws);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private void start() {
        Thread t = new Thread(this::dispatch, "lockscope-wakeups");
        t.setDaemon(true);
        t.start();
    }

    private boolean use() {
        synchronized (changed) {
            if (closed) {
                return false;
            }
            lastUseNanos = System.nanoTime();
            return true;
        }
    }

    /**
     * Changes whenever {@code name} has been removed from the directory (or renamed away), or events
     * were lost. Only waiters of that name are woken: with many waiters, a wake-up for every removed
     * name (claims, probes, record temp files) made each hand-off wake every waiter many times.
     */
    long generation(String name) {
        synchronized (changed) {
            generations.putIfAbsent(name, 0L);
            return generations.get(name) + overflows;
        }
    }

    /** Waits up to {@code nanos} for the generation of {@code name} to move past {@code seen}. */
    void await(String name, long seen, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (changed) {
            waiters++;
            try {
                while (generations.getOrDefault(name, 0L) + overflows == seen && !closed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return;
                    }
                    TimeUnit.NANOSECONDS.timedWait(changed, left);
                }
            } finally {
                waiters--;
                lastUseNanos = System.nanoTime();
            }
        }
        if (closed) {
            // Closed under us (idle close races a new waiter): sleep out the rest rather than spin.
            long left = deadline - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
        }
    }

    private void dispatch() {
        try {
            while (true) {
                WatchKey key = watch.poll(1, TimeUnit.SECONDS);
                if (key != null) {
                    boolean wake = false;
                    synchronized (changed) {
                        for (var ev : key.pollEvents()) {
                            if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                                overflows++;
                                wake = true;
                            } else if (ev.context() instanceof Path p) {
                                Long g = generations.get(p.toString());
                                if (g != null) {
                                    generations.put(p.toString(), g + 1);
                                    wake = true;
                                }
                            }
                        }
                        if (wake) {
                            changed.notifyAll();
                        }
                    }
                    boolean valid = key.reset();
                    if (!valid) {
                        break; // the directory is gone
                    }
                } else {
                    synchronized (changed) {
                        if (waiters == 0 && System.nanoTime() - lastUseNanos > IDLE_CLOSE_NANOS) {
                            break;
                        }
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } finally {
            close();
            OPEN.remove(dir, this);
        }
    }

    private void close() {
        synchronized (changed) {
            closed = true;
            changed.notifyAll();
        }
        try {
            watch.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
