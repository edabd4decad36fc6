package dev.lockscope.lock;

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

    /** The owner in words, or what stands in for it. */
    public String holderDescription() {
        if (owner != null) {
            return owner.describe();
        }
        return state == LockState.FREE ? "nobody" : "an unreadable or foreign lock";
    }
}
