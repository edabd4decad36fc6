package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Wakes waiters of one directory when a name in it is removed (a lock released, a claim or probe
 * removed), on local filesystems where the kernel reports it. Thread-safe; any thread may wait.
 *
 * <p>One WatchService per directory for the whole JVM instead of one per contended acquisition: opening
 * a WatchService starts a thread and an inotify instance, which cost more than the wait it shortens when
 * locks change hands hundreds of times a second. A waiter reads {@link #generation} before it tries the
 * lock and then waits for it to change, so a release between its try and its wait is never missed.
 *
 * <p>There is no dispatching thread of our own: one of the waiting threads (the leader) takes the
 * WatchService's events itself and hands them on; the others wait on a monitor, and one of them takes
 * over when the leader leaves. With a thread of our own, every batch of events in the directory (each
 * save of a record file beside the lock makes three: the lock, the claim, the temp file's rename) woke
 * the JDK's inotify thread, then ours, then the waiter: in every waiting JVM, at every hand-off. Now it
 * is the JDK's thread and the waiter. A shared closer checks every second and closes a watcher idle
 * for a few seconds (idle on the runtime's clock).
 */
final class DirectoryWakeups {

    static final long IDLE_CLOSE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** The open watchers of one {@link LockRuntime}, one per directory, and their idle closer. Any thread. */
    static final class Registry {
        private final LockClock clock;
        private final ConcurrentHashMap<Path, DirectoryWakeups> open = new ConcurrentHashMap<>();
        /** Closes idle watchers; its one thread ends when no watcher is open. */
        private final ScheduledThreadPoolExecutor closer = Daemons.scheduler("lockscope-wakeups-closer");

        Registry(LockClock clock) {
            this.clock = clock;
            closer.setKeepAliveTime(2, TimeUnit.SECONDS);
            closer.allowCoreThreadTimeOut(true);
        }

        /** The shared watcher of {@code dir}, or null when this directory gives no events. */
        DirectoryWakeups of(Path dir) {
            for (int attempt = 0; attempt < 3; attempt++) {
                DirectoryWakeups w = open.get(dir);
                if (w == null) {
                    w = open(dir);
                    if (w == null) {
                        return null;
                    }
                    DirectoryWakeups raced = open.putIfAbsent(dir, w);
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
                open.remove(dir, w);
            }
            return null;
        }

        private DirectoryWakeups open(Path dir) {
            try {
                WatchService ws = FileSystems.getDefault().newWatchService();
                try {
                    dir.register(ws, StandardWatchEventKinds.ENTRY_DELETE);
                } catch (IOException | RuntimeException e) {
                    ws.close();
                    return null;
                }
                return new DirectoryWakeups(this, dir, ws);
            } catch (IOException | UnsupportedOperationException e) {
                return null;
            }
        }
    }

    private final Registry registry;
    private final Path dir;
    private final WatchService watch;
    private final Object changed = new Object();
    /** Per lock name ever waited for here, how often it was removed; other names are not kept. */
    private final java.util.HashMap<String, Long> generations = new java.util.HashMap<>();
    /** Bumped on OVERFLOW: events were lost, so every waiter must look. */
    private long overflows;
    private int waiters;
    /** True while a waiting thread is inside {@link WatchService#poll} for everyone. */
    private boolean leading;
    /** On the runtime's clock. */
    private long lastUseNanos;
    private volatile boolean closed;
    private ScheduledFuture<?> idleCheck;

    private DirectoryWakeups(Registry registry, Path dir, WatchService watch) {
        this.registry = registry;
        this.dir = dir;
        this.watch = watch;
        this.lastUseNanos = registry.clock.nanoTime();
    }

    private void start() {
        ScheduledFuture<?> f = registry.closer.scheduleWithFixedDelay(this::closeIfIdle, 1, 1, TimeUnit.SECONDS);
        synchronized (changed) {
            idleCheck = f;
        }
    }

    private boolean use() {
        synchronized (changed) {
            if (closed) {
                return false;
            }
            lastUseNanos = registry.clock.nanoTime();
            return true;
        }
    }

    /**
     * Changes whenever {@code name} has been removed from the directory (or renamed away), or events
     * were lost. Only waiters of that name are woken: with many waiters, a wake-up for every removed
     * name (claims, probes, record temp files) made each hand-off wake every waiter many times.
     * Events already queued are taken first when no thread is taking them: they happened before this
     * call, so they must not wake the wait that follows it.
     */
    long generation(String name) {
        synchronized (changed) {
            generations.putIfAbsent(name, 0L);
            if (!leading && !closed) {
                WatchKey key = watch.poll();
                if (key != null) {
                    take(key);
                }
            }
            return generations.get(name) + overflows;
        }
    }

    /**
     * Waits up to {@code nanos} for the generation of {@code name} to move past {@code seen}. The bound is on
     * {@link System#nanoTime()}, not the runtime's clock: it bounds a real blocking wait ({@link Object#wait} and
     * {@link WatchService#poll} count real time), and on a clock a test holds still it would never end.
     */
    void await(String name, long seen, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (changed) {
            waiters++;
        }
        try {
            waiting:
            while (true) {
                long left;
                synchronized (changed) {
                    // As a follower until the name moves, time is up, or no one leads.
                    while (true) {
                        left = deadline - System.nanoTime();
                        if (closed || left <= 0 || generations.getOrDefault(name, 0L) + overflows != seen) {
                            break waiting;
                        }
                        if (!leading) {
                            leading = true;
                            break;
                        }
                        TimeUnit.NANOSECONDS.timedWait(changed, left);
                    }
                }
                lead(left);
            }
        } finally {
            synchronized (changed) {
                waiters--;
                lastUseNanos = registry.clock.nanoTime();
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

    /**
     * As the leader, waits up to {@code nanos} for events (outside the monitor) and hands them on. Others
     * are woken only when a generation moved; the leader itself re-checks its own name in {@link #await}.
     */
    private void lead(long nanos) throws InterruptedException {
        WatchKey key = null;
        try {
            key = watch.poll(nanos, TimeUnit.NANOSECONDS);
        } catch (ClosedWatchServiceException e) {
            // closed by the idle check or a race: the flag says so below
        } finally {
            synchronized (changed) {
                leading = false;
                boolean moved = key != null && take(key);
                if (moved || waiters > 1) {
                    // Others wait on the monitor: for their generation, or for someone to lead.
                    changed.notifyAll();
                }
            }
        }
    }

    /** Takes the events of {@code key} (under the monitor); true when a waited-for name moved. */
    private boolean take(WatchKey key) {
        boolean moved = false;
        for (var ev : key.pollEvents()) {
            if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                overflows++;
                moved = true;
            } else if (ev.context() instanceof Path p) {
                Long g = generations.get(p.toString());
                if (g != null) {
                    generations.put(p.toString(), g + 1);
                    moved = true;
                }
            }
        }
        if (!key.reset()) {
            // The directory is gone: nothing will come any more.
            closed = true;
            moved = true;
        }
        return moved;
    }

    /** Whether this watcher was closed (idle, or its directory gone); a closed one is never used again. */
    boolean isClosed() {
        return closed;
    }

    /** How many threads are in {@link #await} now. */
    int waiters() {
        synchronized (changed) {
            return waiters;
        }
    }

    /** Whether a waiting thread is taking the WatchService's events for everyone now. */
    boolean hasLeader() {
        synchronized (changed) {
            return leading;
        }
    }

    private void closeIfIdle() {
        synchronized (changed) {
            if (!closed && (waiters > 0 || registry.clock.nanoTime() - lastUseNanos <= IDLE_CLOSE_NANOS)) {
                return;
            }
        }
        close();
        registry.open.remove(dir, this);
    }

    private void close() {
        ScheduledFuture<?> f;
        synchronized (changed) {
            closed = true;
            changed.notifyAll();
            f = idleCheck;
        }
        if (f != null) {
            f.cancel(false);
        }
        try {
            watch.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
