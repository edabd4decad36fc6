package dev.lockscope.scan;

import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process for scanner tests: takes a lock (waiting up to 10 minutes, never breaking stale
 * locks), prints "HELD &lt;token&gt;", and keeps it with its heartbeat until killed or until stdin
 * closes. Args: lockPath leaseMillis. Main thread only.
 */
public final class ScanHolder {
    private ScanHolder() {
    }

    public static void main(String[] args) throws Exception {
        LinkLock l = LinkLock.at(Path.of(args[0]), LockOptions.defaults()
                .withLease(Duration.ofMillis(Long.parseLong(args[1]))).withBreakStale(false).withPurpose("scan test"));
        System.out.println("WAITING");
        System.out.flush();
        LockHandle h = l.acquire(Duration.ofMinutes(10));
        System.out.println("HELD " + h.owner().token());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until the parent closes stdin or kills us
        }
        h.release();
    }
}
