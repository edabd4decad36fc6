package dev.lockscope.lock;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process for the break race. Args: role dir rounds.
 * <ul>
 *   <li>{@code breaker}: for each round, judge {@code race-N.lock} and break it if stale; prints "broke N".</li>
 *   <li>{@code acquirer}: for each round, take {@code race-N.lock} (breaking the stale one it finds), hold it
 *       briefly, then check it still holds it; prints "VIOLATION N ..." if a breaker removed the fresh lock.</li>
 * </ul>
 */
public final class BreakRaceWorker {
    private BreakRaceWorker() {
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        Path dir = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int broke = 0;
        int violations = 0;
        for (int r = 0; r < rounds; r++) {
            LinkLock l = LinkLock.of(LockFile.of(dir, "race-" + r + ".lock"),
                    LockOptions.defaults().withLease(Duration.ofSeconds(20)).withHeartbeat(false));
            if (role.equals("breaker")) {
                // Keep pace with the acquirers, so that evidence is often taken just before one of them acquires.
                Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(30));
                Verdict v = l.inspect();
                if (v.state().isStale()) {
                    BreakResult b = l.breakLock(v, false);
                    if (b.broken()) {
                        broke++;
                        System.out.println("broke " + r);
                    }
                }
            } else {
                LockHandle h = l.acquire(Duration.ofSeconds(60));
                Thread.sleep(15);
                try {
                    h.ensureHeld();
                    h.release();
                } catch (LockLostException e) {
                    violations++;
                    System.out.println("VIOLATION " + r + " " + e.getMessage());
                }
            }
        }
        System.out.println("summary role=" + role + " broke=" + broke + " violations=" + violations);
    }
}
