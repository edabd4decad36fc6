package dev.lockscope.lock;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process that takes a lock and releases it from a shutdown hook as it exits, as a library user
 * cleaning up on SIGTERM would. Args: lockPath.
 */
public final class ReleaseAtExitWorker {
    private ReleaseAtExitWorker() {
    }

    public static void main(String[] args) throws Exception {
        LockHandle h = LinkLock.at(Path.of(args[0]), LockOptions.defaults()).acquire(Duration.ofSeconds(30));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                h.release();
                System.out.println("RELEASED");
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "release-at-exit"));
        System.exit(0);
    }
}
