package dev.lockscope.ui.demo;

import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A tiny lock holder for the demo directory, run as its own process:
 * {@code DemoHolder LOCKFILE PURPOSE hold|crash}. {@code hold} takes the lock, prints HELD and keeps it
 * (with its heartbeat) until its standard input closes, so it never outlives the inspector that
 * started it. {@code crash} takes the lock and dies without releasing it, leaving a DEAD lock.
 * Main thread only.
 */
public final class DemoHolder {
    private DemoHolder() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: DemoHolder LOCKFILE PURPOSE hold|crash");
            System.exit(64);
        }
        Path lock = Path.of(args[0]);
        LockOptions opts = LockOptions.defaults().withLease(Duration.ofSeconds(15)).withPurpose(args[1])
                .withBreakStale(false);
        LockHandle h = LinkLock.at(lock, opts).acquire(Duration.ofSeconds(20));
        System.out.println("HELD " + lock);
        System.out.flush();
        if ("crash".equals(args[2])) {
            Runtime.getRuntime().halt(0); // no release, no shutdown hooks: the lock stays behind, DEAD
        }
        // Hold until the parent closes our stdin (it exits, or it is killed: the pipe closes either way).
        while (System.in.read() >= 0) {
            // ignore input
        }
        h.release();
    }
}
