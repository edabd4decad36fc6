package dev.lockscope.lock;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A staleness verdict on one lock file, with the evidence it rests on. Immutable; any thread.
 *
 * @param lock            the lock file
 * @param state           the verdict
 * @param reason          why, in words an operator can check
 * @param owner           the parsed owner record, or null (free, unreadable or foreign)
 * @param identity        the lock as read (inode, mtime, size, bytes), or null when free
 * @param nlink           link count as reported, or -1
 * @param serverNowMillis the server's clock from a probe file, or -1 when it could not be measured
 * @param skewMillis      server clock minus this host's clock, or 0 when unmeasured
 * @param heartbeatAgeMillis server now minus the lock's mtime, or -1
 * @param lockAgeMillis   age since acquisition, in server time as far as it can be told, or -1
 * @param ownerAlive      for a same-host owner: whether its process is alive; null otherwise
 */
public record Verdict(Path lock, LockState state, String reason, LockOwner owner, LockIdentity identity,
                      long nlink, long serverNowMillis, long skewMillis, long heartbeatAgeMillis,
                      long lockAgeMillis, Boolean ownerAlive) {

    public static Verdict free(Path lock) {
        return new Verdict(lock, LockState.FREE, "no lock file", null, null, -1, -1, 0, -1, -1, null);
    }

    /** Builds the verdict from a snapshot and a clock reading ({@code null}: unmeasured). No I/O beyond the process table. */
    public static Verdict of(LockSnapshot snap, ServerClock.Reading clock, HostIdentity self, ProcessTable processes) {
        long serverNow = clock == null ? -1 : clock.serverNowMillis();
        long skew = clock == null ? 0 : clock.skewMillis();
        long mtime = snap.facts().mtimeMillis();
        long heartbeatAge = serverNow < 0 ? -1 : serverNow - mtime;
        if (heartbeatAge < 0 && heartbeatAge >= -StalenessJudge.FUTURE_MTIME_ALLOWANCE_MILLIS) {
            heartbeatAge = 0; // within the skew allowed between a server's storage nodes
        } else if (heartbeatAge < 0) {
            heartbeatAge = -1; // an mtime in the future is no age at all: the verdict says it is suspicious
        }
        LockOwner owner = snap.owner();
        long lockAge = -1;
        if (owner != null) {
            long localNow = clock == null ? System.currentTimeMillis() : clock.localNowMillis();
            lockAge = Math.max(0, localNow - owner.acquiredAt());
        }
        StalenessJudge.Decision d = StalenessJudge.judge(owner, mtime, serverNow, skew, self, processes);
        String reason = owner == null && snap.readError() != null ? snap.readError() : d.reason();
        return new Verdict(snap.path(), d.state(), reason, owner, snap.identity(), snap.facts().nlink(), serverNow,
                skew, heartbeatAge, lockAge, d.ownerAlive());
    }

    /** Judges a snapshot, measuring the server clock with a probe file when {@code withServerClock}. */
    static Verdict judge(LockSnapshot snap, boolean withServerClock, ProcessTable processes) {
        ServerClock.Reading clock = null;
        if (withServerClock) {
            try {
                clock = ServerClock.read(snap.path().getParent());
            } catch (IOException e) {
                clock = null; // read-only or full directory: expiry cannot be judged, DEAD still can
            }
        }
        return of(snap, clock, HostIdentity.current(), processes);
    }

    /** The owner in words, or what stands in for it. */
    public String holderDescription() {
        if (owner != null) {
            return owner.describe();
        }
        return state == LockState.FREE ? "nobody" : "an unreadable or foreign lock";
    }
}
