package dev.lockscope.formats;

import dev.lockscope.lock.DurationText;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.lock.StalenessJudge.Decision;

import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Each tool's own staleness rule, as a pure decision: no I/O beyond the process table, so every branch is
 * tested directly. Any thread.
 *
 * <p>A holder's pid is only looked up when the holder is provably on this host: the tool recorded this host's
 * name, or it recorded no host (or a loopback name) and the directory is on a local filesystem, where every
 * holder is on this host. A holder recorded with another host's name is never judged DEAD by its pid.
 */
public final class ForeignJudge {

    /** dotlockfile's own rule (liblockfile): a lock not touched for 5 minutes is stale. */
    public static final long DOTLOCKFILE_STALE_MILLIS = 5 * 60_000L;

    /**
     * What the judge knows beyond the lock itself.
     *
     * @param self               this host
     * @param processes          this host's process table
     * @param localFilesystem    true when the directory is on a filesystem of this host only
     * @param procmailLocktimeout the operator's {@code locktimeout} for this directory, or null (age only)
     * @param kernelLocks        the kernel locks of this host, or null when {@code /proc/locks} cannot be read
     * @param openFiles          who has a file open on this host (by {@code st_dev} and inode)
     */
    public record Context(HostIdentity self, ProcessTable processes, boolean localFilesystem,
                         Duration procmailLocktimeout, KernelLocks kernelLocks, OpenFileTable openFiles) {

        public Context(HostIdentity self, ProcessTable processes, boolean localFilesystem,
                       Duration procmailLocktimeout, KernelLocks kernelLocks) {
            this(self, processes, localFilesystem, procmailLocktimeout, kernelLocks, new OpenFiles());
        }
    }

    /** Who has a file open on this host: {@code /proc/<pid>/fd} in production, a table in tests. */
    @FunctionalInterface
    interface OpenFileTable {
        OpenFiles.Result holder(long device, long inode);
    }

    private ForeignJudge() {
    }

    /**
     * @param lock            what the tool recorded
     * @param facts           the lock's lstat (mtime in server clock), read with fresh attributes
     * @param serverNowMillis the server's now from a probe file, or -1 when unknown
     */
    public static Decision judge(ForeignLock lock, FileFacts facts, long serverNowMillis, Context ctx) {
        long mtimeMillis = facts.mtimeMillis();
        long age = serverNowMillis < 0 ? -1 : serverNowMillis - mtimeMillis;
        return switch (lock.format()) {
            case ForeignLock.FLUFL -> flufl(lock, mtimeMillis, serverNowMillis, ctx);
            case ForeignLock.DOTLOCKFILE -> dotlockfile(lock, age, ctx);
            case ForeignLock.PROCMAIL -> procmail(age, ctx);
            case ForeignLock.MERCURIAL -> mercurial(lock, ctx);
            case ForeignLock.GIT -> new Decision(LockState.UNKNOWN, "git records no owner: owner unknown"
                    + written(age) + "; git never breaks its own locks, so only a forced break removes it", null);
            case ForeignLock.PY_FILELOCK -> lock.host() == null ? kernelLocked(lock, facts.inode(), ctx) : softFileLock(lock, ctx);
            default -> new Decision(LockState.UNKNOWN, "not a format Lockscope knows, so it cannot be judged"
                    + written(age), null);
        };
    }

    /** Where a recorded host name puts its holder. */
    enum Where {
        /** The tool recorded this host's name. */
        THIS_HOST,
        /** No host recorded, or a loopback name: this host only if the directory is local. */
        UNSAID,
        /** The tool recorded another host's name: never judged by pid. */
        OTHER_HOST
    }

    static Where where(String recordedHost, HostIdentity self) {
        if (recordedHost == null || recordedHost.isEmpty()) {
            return Where.UNSAID;
        }
        String h = recordedHost.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.startsWith("localhost.") || h.equals("ip6-localhost") || h.equals("127.0.0.1")
                || h.equals("::1")) {
            return Where.UNSAID;
        }
        String mine = self.hostName().toLowerCase(Locale.ROOT);
        if (h.equals(mine) || shortName(h).equals(shortName(mine)) && (h.indexOf('.') < 0 || mine.indexOf('.') < 0)) {
            return Where.THIS_HOST;
        }
        return Where.OTHER_HOST;
    }

    private static String shortName(String h) {
        int dot = h.indexOf('.');
        return dot < 0 ? h : h.substring(0, dot);
    }

    private static boolean provablyHere(Where w, Context ctx) {
        return w == Where.THIS_HOST || w == Where.UNSAID && ctx.localFilesystem();
    }

    /** Why a pid is not looked up, or null when it may be. */
    private static String whyPidNotChecked(ForeignLock lock, Where w, Context ctx) {
        if (lock.pid() <= 0) {
            return "no pid recorded";
        }
        return switch (w) {
            case THIS_HOST -> null;
            case OTHER_HOST -> "recorded host " + lock.host() + " is not this host (" + ctx.self().hostName()
                    + "), so its pid is never checked here";
            case UNSAID -> ctx.localFilesystem() ? null
                    : (lock.host() == null ? "no host recorded" : "host recorded as " + lock.host())
                    + " and the directory is on a network filesystem, so the holder may be on another host";
        };
    }

    /**
     * The pid part of a rule, shared by the tools that record a pid and have an age rule too.
     *
     * @param dead  the DEAD decision when the holder is provably on this host and its pid is gone, else null
     * @param alive whether the holder lives, or null when its pid is not checked
     * @param words the holder in words, to begin the reason with
     */
    private record PidCheck(Decision dead, Boolean alive, String words) {
    }

    private static PidCheck checkPid(ForeignLock lock, Context ctx, String deadReason) {
        String notChecked = whyPidNotChecked(lock, where(lock.host(), ctx.self()), ctx);
        if (notChecked != null) {
            return new PidCheck(null, null, notChecked + "; ");
        }
        if (ctx.processes().liveness(lock.pid()) == ProcessTable.Liveness.GONE) {
            return new PidCheck(new Decision(LockState.DEAD, deadReason, false), false, null);
        }
        return new PidCheck(null, true, "holder pid " + lock.pid() + " is alive; ");
    }

    private static Decision flufl(ForeignLock lock, long mtime, long serverNow, Context ctx) {
        PidCheck pid = checkPid(lock, ctx, "flufl.lock holder pid " + lock.pid() + " (host " + lock.host()
                + ") no longer exists on this host");
        if (pid.dead() != null) {
            return pid.dead();
        }
        Boolean alive = pid.alive();
        String who = pid.words();
        if (serverNow < 0) {
            return new Decision(LockState.HELD, who + "server clock unknown, so its expiry cannot be judged", alive);
        }
        if (serverNow > mtime) {
            return new Decision(LockState.EXPIRED, who + "its expiry (its mtime) passed " + DurationText.ofMillis(serverNow - mtime)
                    + " ago by the server's clock", alive);
        }
        return new Decision(LockState.HELD, who + "it expires in " + DurationText.ofMillis(mtime - serverNow)
                + " (its mtime, server clock)", alive);
    }

    private static Decision dotlockfile(ForeignLock lock, long age, Context ctx) {
        PidCheck pid = checkPid(lock, ctx, "pid " + lock.pid() + " no longer exists, and the holder is on this host"
                + " (the directory is on a local filesystem)");
        if (pid.dead() != null) {
            return pid.dead();
        }
        Boolean alive = pid.alive();
        String who = pid.words();
        if (age < 0) {
            return new Decision(LockState.HELD, who + "server clock unknown, so its age cannot be judged", alive);
        }
        if (age > DOTLOCKFILE_STALE_MILLIS) {
            return new Decision(LockState.EXPIRED, who + "not touched for " + DurationText.ofMillis(age)
                    + " (server clock); dotlockfile's own rule: stale after 5 minutes", alive);
        }
        return new Decision(LockState.HELD, who + "touched " + DurationText.ofMillis(age)
                + " ago (server clock), within dotlockfile's 5 minutes", alive);
    }

    private static Decision procmail(long age, Context ctx) {
        Duration timeout = ctx.procmailLocktimeout();
        if (age < 0) {
            return new Decision(timeout == null ? LockState.UNKNOWN : LockState.HELD,
                    "procmail records no owner, and the server clock is unknown, so its age cannot be judged", null);
        }
        if (timeout == null) {
            return new Decision(LockState.UNKNOWN, "procmail records no owner" + written(age)
                    + "; no locktimeout is set for this directory (age only)", null);
        }
        if (age > timeout.toMillis()) {
            return new Decision(LockState.EXPIRED, "procmail lockfile" + written(age) + ", older than this directory's"
                    + " locktimeout of " + DurationText.ofMillis(timeout.toMillis()), null);
        }
        return new Decision(LockState.HELD, "procmail lockfile" + written(age) + ", within this directory's locktimeout"
                + " of " + DurationText.ofMillis(timeout.toMillis()), null);
    }

    private static Decision mercurial(ForeignLock lock, Context ctx) {
        Where w = where(lock.host(), ctx.self());
        String notChecked = whyPidNotChecked(lock, w, ctx);
        if (notChecked == null && lock.pidNamespace() != null) {
            String mine = namespaceHex(ctx.self().pidNamespace());
            if (mine == null) {
                notChecked = "the lock names pid namespace " + lock.pidNamespace() + ", and ours cannot be read";
            } else if (!mine.equals(lock.pidNamespace())) {
                notChecked = "the lock names pid namespace " + lock.pidNamespace() + ", ours is " + mine
                        + ": another container's pids";
            }
        }
        if (notChecked != null) {
            return new Decision(LockState.HELD, notChecked + "; Mercurial has no expiry, so it counts as held", null);
        }
        if (ctx.processes().liveness(lock.pid()) == ProcessTable.Liveness.GONE) {
            return new Decision(LockState.DEAD, "Mercurial holder pid " + lock.pid() + " no longer exists on this host"
                    + (lock.pidNamespace() == null ? "" : " (same pid namespace " + lock.pidNamespace() + ")"), false);
        }
        return new Decision(LockState.HELD, "Mercurial holder pid " + lock.pid() + " is alive on this host", true);
    }

    private static Decision softFileLock(ForeignLock lock, Context ctx) {
        Where w = where(lock.host(), ctx.self());
        String notChecked = whyPidNotChecked(lock, w, ctx);
        if (notChecked != null) {
            return new Decision(LockState.HELD, notChecked + "; py-filelock has no expiry, so it counts as held", null);
        }
        if (ctx.processes().liveness(lock.pid()) == ProcessTable.Liveness.GONE) {
            return new Decision(LockState.DEAD, "py-filelock holder pid " + lock.pid() + " no longer exists on this host",
                    false);
        }
        if (lock.startTicks() != null) {
            OptionalLong now = ctx.processes().startTicks(lock.pid());
            if (now.isPresent() && now.getAsLong() != lock.startTicks()) {
                return new Decision(LockState.DEAD, "pid " + lock.pid() + " now belongs to a newer process (start tick "
                        + now.getAsLong() + ", the holder's " + lock.startTicks() + ")", false);
            }
        }
        return new Decision(LockState.HELD, "py-filelock holder pid " + lock.pid() + " is alive on this host", true);
    }

    private static Decision kernelLocked(ForeignLock lock, long inode, Context ctx) {
        KernelLocks k = ctx.kernelLocks();
        if (k == null || lock.device() < 0) {
            return new Decision(LockState.UNKNOWN, "an empty lock file records no owner, and this host's kernel locks"
                    + " (/proc/locks) cannot be read", null);
        }
        OptionalLong holder = k.holder(lock.device(), inode);
        if (holder.isPresent()) {
            return new Decision(LockState.HELD, "held by a kernel lock (flock) of pid " + holder.getAsLong()
                    + " on this host (/proc/locks)", true);
        }
        if (ctx.localFilesystem()) {
            OpenFiles.Result open = ctx.openFiles().holder(lock.device(), inode);
            if (open.pid() >= 0) {
                return new Decision(LockState.HELD, "no kernel lock on it, but pid " + open.pid() + " has it open (an"
                        + " empty SoftFileLock is held open until released)", true);
            }
            if (!open.complete()) {
                return new Decision(LockState.UNKNOWN, "no kernel lock on it (/proc/locks), but not every process's"
                        + " open files could be read, so it may be held open", null);
            }
            return new Decision(LockState.FREE, "free: no kernel lock on it (/proc/locks) and no process has it open;"
                    + " py-filelock leaves its empty file behind when it releases", null);
        }
        return new Decision(LockState.UNKNOWN, "no kernel lock on it from this host (/proc/locks); a holder on another"
                + " host would not show here", null);
    }

    /** Mercurial's namespace form (hex inode) of ours, {@code pid:[4026531836]}, or null. */
    static String namespaceHex(String ours) {
        if (ours == null) {
            return null;
        }
        int open = ours.indexOf('[');
        int close = ours.indexOf(']');
        if (open < 0 || close < open) {
            return null;
        }
        try {
            return Long.toHexString(Long.parseLong(ours.substring(open + 1, close)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String written(long age) {
        return age < 0 ? "" : "; written " + DurationText.ofMillis(age) + " ago (server clock)";
    }
}
