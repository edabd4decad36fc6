package dev.lockscope.probe;

import dev.lockscope.text.Printable;
import dev.lockscope.lock.LockOwner;

import java.util.Objects;

/**
 * The pure decision on a host's answer about a lock owner: no I/O, so every branch is tested directly. Any thread.
 *
 * <p>DEAD only when the answer certainly speaks of the owner's pid space: the same machine id, the same boot,
 * the same pid namespace; then a gone pid, or one whose start (in ticks since boot) is not the owner's, is
 * certain. Anything less is inconclusive: a cloned machine id answering from another boot, an ssh session in
 * another pid namespace (the holder in a container), a record without start ticks.
 */
public final class HostCheckJudge {

    /** The decision: one of DEAD, ALIVE, INCONCLUSIVE, and why. */
    public record Decision(HostCheck.Result result, String reason) {
    }

    private HostCheckJudge() {
    }

    public static Decision judge(LockOwner owner, ProbeReport answer) {
        String host = Printable.shortened(owner.host(), 80);
        if (!owner.hostId().equals(answer.hostId())) {
            return inconclusive("another machine answers as " + host + ": machine id " + answer.hostId()
                    + ", the lock's host id is " + Printable.shortened(owner.hostId(), 80));
        }
        if (owner.bootId() == null || answer.bootId() == null) {
            return inconclusive("the boot id is unknown " + (owner.bootId() == null ? "in the lock" : "on " + host)
                    + ", so the pid cannot be tied to the owner's boot");
        }
        if (!owner.bootId().equals(answer.bootId())) {
            return inconclusive(host + " answers from boot " + answer.bootId() + ", the lock is from boot "
                    + Printable.shortened(owner.bootId(), 60) + " (a reboot, or a clone with the same machine id)");
        }
        if (owner.pidNamespace() != null && !owner.pidNamespace().equals(answer.pidNamespace())) {
            return inconclusive("the ssh session on " + host + " sees pid namespace " + answer.pidNamespace()
                    + ", the owner ran in " + Printable.shortened(owner.pidNamespace(), 60) + " (a container?)");
        }
        String same = "machine id and boot id match";
        if (!answer.alive() && answer.pidsHidden()) {
            return inconclusive("pid " + owner.pid() + " is not visible on " + host + ", but the login there may not see"
                    + " other users' processes (/proc is mounted with hidepid; ask as root or as the owner)");
        }
        if (!answer.alive()) {
            return new Decision(HostCheck.Result.DEAD, "pid " + owner.pid() + " does not exist on " + host + " ("
                    + same + ")");
        }
        if (owner.startTicks() != null && answer.startTicks() != null) {
            if (Objects.equals(owner.startTicks(), answer.startTicks())) {
                return new Decision(HostCheck.Result.ALIVE, "pid " + owner.pid() + " is alive on " + host
                        + " with the recorded start (tick " + owner.startTicks() + "; " + same + ")");
            }
            return new Decision(HostCheck.Result.DEAD, "pid " + owner.pid() + " on " + host
                    + " belongs to another process (start tick " + answer.startTicks() + ", the owner's "
                    + owner.startTicks() + "; " + same + ")");
        }
        if (owner.startTime() != null && answer.startTime() != null && owner.startTime().equals(answer.startTime())) {
            return new Decision(HostCheck.Result.ALIVE, "pid " + owner.pid() + " is alive on " + host
                    + " with the recorded start time " + owner.startTime() + " (" + same + ")");
        }
        return inconclusive("pid " + owner.pid() + " is alive on " + host + ", but its start cannot be compared with"
                + " the owner's (no start ticks on both sides)");
    }

    private static Decision inconclusive(String reason) {
        return new Decision(HostCheck.Result.INCONCLUSIVE, reason);
    }
}
