package dev.lockscope.lock;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the lock core shares between the locks of one process: the clock it reads, its background threads (the
 * heartbeat, the kept-claim sweeper, the idle closer of directory watchers) and what it remembers about directories
 * (kept claims, watchers, server-clock probes, which directories count links truthfully). Thread-safe; any thread.
 *
 * <p>Production code uses {@link #defaultRuntime()}, one per JVM, which is what the lock core always had as static
 * fields. A test passes a runtime of its own through {@link LockOptions#withRuntime}: a clock it advances by hand
 * (a lease lapses, a watcher goes idle, without sleeping) and registries no other test touches.
 */
public final class LockRuntime {

    private static final LockRuntime DEFAULT = new LockRuntime(LockClock.SYSTEM,
            !"false".equals(System.getProperty("lockscope.keepClaims")));

    /** A bound on what a process that locks in many directories remembers of them. */
    private static final int MAX_TRUTHFUL_DIRECTORIES = 1000;

    private final LockClock clock;
    private final LockHandle.Heartbeats heartbeats;
    private final KeptClaims keptClaims;
    private final DirectoryWakeups.Registry wakeups;
    private final ServerClock serverClock;
    /** Directories where a lock of this runtime was once proven by link counts: there, links always tell. */
    private final Set<Path> truthfulDirectories = ConcurrentHashMap.newKeySet();

    private LockRuntime(LockClock clock, boolean keepClaims) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.heartbeats = new LockHandle.Heartbeats(clock);
        this.keptClaims = new KeptClaims(clock, keepClaims);
        this.wakeups = new DirectoryWakeups.Registry(clock);
        this.serverClock = new ServerClock(clock);
    }

    /**
     * The runtime of this JVM. Claims are kept for quick re-acquisition unless {@code -Dlockscope.keepClaims=false}
     * (a claim per acquisition everywhere, for A/B measurements).
     */
    public static LockRuntime defaultRuntime() {
        return DEFAULT;
    }

    /**
     * A runtime of its own, reading {@code clock}, with no state shared with any other. Its threads are daemons
     * started on first use, like the default runtime's.
     *
     * @param keepClaims whether released claims are kept for the next acquisition (see {@link KeptClaims})
     */
    public static LockRuntime create(LockClock clock, boolean keepClaims) {
        return new LockRuntime(clock, keepClaims);
    }

    public LockClock clock() {
        return clock;
    }

    /** The server-clock reader of this runtime, which carries its recent probes forward. */
    public ServerClock serverClock() {
        return serverClock;
    }

    /** Deletes the claims this runtime keeps for quick re-acquisition (they go by themselves within a second or two). */
    public void dropKeptClaims() {
        keptClaims.deleteAll();
    }

    LockHandle.Heartbeats heartbeats() {
        return heartbeats;
    }

    KeptClaims keptClaims() {
        return keptClaims;
    }

    DirectoryWakeups.Registry wakeups() {
        return wakeups;
    }

    boolean countsLinksTruthfully(Path directory) {
        return truthfulDirectories.contains(directory);
    }

    void rememberTruthfulLinks(Path directory) {
        if (truthfulDirectories.size() < MAX_TRUTHFUL_DIRECTORIES) {
            truthfulDirectories.add(directory);
        }
    }

    @Override
    public String toString() {
        return this == DEFAULT ? "LockRuntime.default" : "LockRuntime(" + clock + ")";
    }
}
