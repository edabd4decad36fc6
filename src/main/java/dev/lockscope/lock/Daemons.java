package dev.lockscope.lock;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/** Single-thread daemon schedulers for the lock core's background chores. Stateless; any thread. */
final class Daemons {
    private Daemons() {
    }

    /**
     * A one-thread scheduler whose thread is a daemon named {@code threadName} (a lock library must never keep a
     * JVM alive) and which drops cancelled tasks at once.
     */
    static ScheduledThreadPoolExecutor scheduler(String threadName) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }
}
