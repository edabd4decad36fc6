package dev.lockscope.lock;

import java.util.OptionalLong;

/**
 * The pure staleness decision: no I/O here, so every branch is tested directly. Any thread.
 *
 * <p>Order of strength: DEAD (certain, same PID space) before EXPIRED (server clock against server
 * clock) before HELD. Anything we cannot prove stale is HELD.
 */
public final class StalenessJudge {

    /** The decision and its reason. */
    public record Decision(LockState state, String reason, Boolean ownerAlive) { }

    private StalenessJudge() {
    }

    /**
     * @param owner              the parsed owner, or null for a lock we cannot interpret
     * @param lockMtimeMillis    the lock's mtime (server clock), read with fresh attributes
     * @param serverNowMillis    the server's now from a probe file, or -1 when unknown
     * @param self               this process's identity
     * @param processes          this host's process table
     */
    public static Decision judge(LockOwner owner, long lockMtimeMillis, long serverNowMillis,
                                 HostIdentity self, ProcessTable processes) {
        if (owner == null) {
            return new Decision(LockState.UNKNOWN, "the lock's content is not a lockscope owner record", null);
        }
        Boolean alive = null;
        if (self.isEarlierBootOf(owner)) {
            return new Decision(LockState.DEAD,
                    "owner ran on this host before it rebooted (boot id " + owner.bootId() + ")", false);
        }
        if (self.sharesPidSpaceWith(owner)) {
            if (processes.liveness(owner.pid()) == ProcessTable.Liveness.GONE) {
                return new Decision(LockState.DEAD, "pid " + owner.pid() + " no longer exists on this host", false);
            }
            if (ProcessTable.isNewerProcessThan(owner, processes)) {
                OptionalLong ticks = processes.startTicks(owner.pid());
                OptionalLong start = processes.startTime(owner.pid());
                String now = ticks.isPresent() && owner.startTicks() != null
                        ? "start tick " + ticks.getAsLong() + ", owner's " + owner.startTicks()
                        : "started " + (start.isPresent() ? start.getAsLong() : -1) + ", owner started " + owner.startTime();
                return new Decision(LockState.DEAD, "pid " + owner.pid() + " now belongs to a newer process ("
                        + now + ")", false);
            }
            alive = Boolean.TRUE;
        }
        if (serverNowMillis >= 0) {
            long age = serverNowMillis - lockMtimeMillis;
            if (age > owner.leaseMillis()) {
                return new Decision(LockState.EXPIRED, "no heartbeat for " + age + " ms (server clock), lease is "
                        + owner.leaseMillis() + " ms" + (Boolean.TRUE.equals(alive) ? "; the owner process is alive but not renewing" : ""),
                        alive);
            }
            return new Decision(LockState.HELD, (Boolean.TRUE.equals(alive) ? "owner process is alive; " : "")
                    + "heartbeat " + age + " ms ago, within the lease of " + owner.leaseMillis() + " ms", alive);
        }
        return new Decision(LockState.HELD, (Boolean.TRUE.equals(alive) ? "owner process is alive; " : "")
                + "server clock unknown, so expiry cannot be judged", alive);
    }
}
