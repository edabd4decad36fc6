package dev.lockscope.lock;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process that takes a lock, says "HELD &lt;token&gt;" and keeps it (heartbeat running) until
 * killed or until its stdin closes. Args: lockPath leaseMillis.
 */
public final class HoldWorker {
    private HoldWorker() {
    }

    public static void main(String[] args) throws Exception {
        LinkLock l = LinkLock.at(Path.of(args[0]),
                LockOptions.defaults().withLease(Duration.ofMillis(Long.parseLong(args[1]))).withPurpose("hold"));
        LockHandle h = l.acquire(Duration.ofMinutes(2));
        h.onLost(x -> {
            System.out.println("LOST " + x.lossReason());
            System.out.flush();
        });
        System.out.println("HELD " + h.token());
        System.out.flush();
        while (System.in.read() >= 0) {
            // keep holding until our parent closes stdin
        }
        h.release();
        System.out.println("RELEASED");
    }
}
