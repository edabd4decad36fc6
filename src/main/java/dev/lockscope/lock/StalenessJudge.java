package dev.lockscope.lock;

import java.util.OptionalLong;

/**
 * The pure staleness decision: no I/O here, so every branch is tested directly. Any thread.
 *
 * <p>Order of strength: DEAD (certain, same PID space) before EXPIRED (server clock against server
 * clock) before HELD. Anything we cannot prove stale is HELD.
 */
public final class StalenessJudge {

    /**
     * How far in the server's future a lock's mtime may lie before it is suspicious. A heartbeat is a write, which
     * the server stamps with its own clock, so a lockscope lock's mtime is never later than the server's now; a
     * little is allowed for servers whose storage nodes (gluster bricks) keep clocks of their own.
     */
    public static final long FUTURE_MTIME_ALLOWANCE_MILLIS = 60_000;

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
        return judge(owner, lockMtimeMillis, serverNowMillis, 0, self, processes);
    }

    /** As above, with the measured skew (server clock minus this host's clock) for boot-time comparisons. */
    public static Decision judge(LockOwner owner, long lockMtimeMillis, long serverNowMillis, long skewMillis,
                                 HostIdentity self, ProcessTable processes) {
        if (owner == null) {
            return new Decision(LockState.UNKNOWN, "the lock's content is not a lockscope owner record", null);
        }
        Boolean alive = null;
        String note = "";
        if (self.isEarlierBootOf(owner, lockMtimeMillis, serverNowMillis, skewMillis)) {
            return new Decision(LockState.DEAD,
                    "owner ran on this host before it rebooted (boot id " + owner.bootId() + ", booted "
                            + java.time.Instant.ofEpochMilli(owner.bootTime()) + "; this boot "
                            + java.time.Instant.ofEpochMilli(self.bootTimeMillis())
                            + "; not renewed since this boot)", false);
        }
        if (self.differentBootOfThisMachine(owner)) {
            // A clone of this machine (same machine id) or an earlier boot we cannot prove: judged by lease only.
            note = "same machine id but another boot id (" + owner.bootId()
                    + "), not provably an earlier boot of this host (a clone shares the machine id): judged by lease; ";
        } else if (self.hostId().equals(owner.hostId()) && !self.sharesPidSpaceWith(owner)) {
            note = "same machine id but the owner's boot id or PID namespace is unknown or differs, so its pid is not"
                    + " looked up here: judged by lease; ";
        }
        long lease = owner.leaseMillis();
        if (lease > LockOwner.MAX_LEASE_MILLIS) {
            note = note + "its lease of " + lease + " ms is over the maximum of " + LockOwner.MAX_LEASE_MILLIS
                    + " ms and is judged as that; ";
            lease = LockOwner.MAX_LEASE_MILLIS;
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
        String living = Boolean.TRUE.equals(alive) ? "owner process is alive; " : "";
        if (serverNowMillis >= 0) {
            long age = serverNowMillis - lockMtimeMillis;
            if (age < -FUTURE_MTIME_ALLOWANCE_MILLIS) {
                return new Decision(LockState.HELD, "SUSPICIOUS: " + living + note + "the lock's mtime is "
                        + DurationText.ofMillis(-age) + " in the future of the server's clock (more than the "
                        + DurationText.ofMillis(FUTURE_MTIME_ALLOWANCE_MILLIS) + " allowed): it was set explicitly, not"
                        + " by a heartbeat, so its expiry cannot be judged; check it and break it with force", alive);
            }
            if (age > lease) {
                return new Decision(LockState.EXPIRED, note + "no heartbeat for " + age + " ms (server clock), lease is "
                        + lease + " ms" + (Boolean.TRUE.equals(alive) ? "; the owner process is alive but not renewing" : ""),
                        alive);
            }
            return new Decision(LockState.HELD, living + note
                    + "heartbeat " + Math.max(0, age) + " ms ago, within the lease of " + lease + " ms", alive);
        }
        return new Decision(LockState.HELD, living + note + "server clock unknown, so expiry cannot be judged", alive);
    }
}
