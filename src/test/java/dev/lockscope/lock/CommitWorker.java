package dev.lockscope.lock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process that holds a lock and, on command, tries to commit work under it the way the record
 * store does: {@code ensureHeld()} first, then the write. Args: lockPath leaseMillis commitFile [secondLockPath].
 * With a second lock path it holds that lock too (same lease), as one process holding locks on two filesystems.
 *
 * <p>Prints "HELD token", "LOST reason" (from the loss callback, on the heartbeat thread), and for each
 * stdin command: COMMIT gives "COMMITTED" or "REFUSED reason"; RELEASE gives "RELEASED" or "RELEASE-LOST reason".
 * Any other I/O error is printed as "ERROR kind: message". Runs on its main thread.
 */
public final class CommitWorker {
    private CommitWorker() {
    }

    public static void main(String[] args) throws Exception {
        LinkLock l = LinkLock.at(Path.of(args[0]), LockOptions.defaults()
                .withLease(Duration.ofMillis(Long.parseLong(args[1]))).withPurpose("commit worker"));
        Path commitFile = Path.of(args[2]);
        LockHandle h = l.acquire(Duration.ofSeconds(60));
        h.onLost(x -> say("LOST " + x.lossReason()));
        if (args.length > 3) {
            LockHandle second = LinkLock.at(Path.of(args[3]), LockOptions.defaults()
                    .withLease(Duration.ofMillis(Long.parseLong(args[1]))).withPurpose("second lock"))
                    .acquire(Duration.ofSeconds(60));
            second.onLost(x -> say("LOST-SECOND " + x.lossReason()));
        }
        say("HELD " + h.token());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String cmd;
        while ((cmd = in.readLine()) != null) {
            try {
                switch (cmd.trim()) {
                    case "COMMIT" -> {
                        h.ensureHeld();
                        Files.writeString(commitFile, "holder " + h.token() + "\n");
                        say("COMMITTED");
                    }
                    case "RELEASE" -> {
                        h.release();
                        say("RELEASED");
                    }
                    default -> say("ERROR unknown command " + cmd);
                }
            } catch (LockLostException e) {
                say((cmd.trim().equals("RELEASE") ? "RELEASE-LOST " : "REFUSED ") + e.getMessage());
            } catch (IOException e) {
                say("ERROR " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
