package dev.lockscope.probe;

import dev.lockscope.text.Printable;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.Verdict;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of asking a lock owner's host about the owner's pid, with every ssh run as evidence. Immutable;
 * any thread.
 *
 * @param host       the host asked (the owner record's host name), as recorded (escaped when shown)
 * @param pid        the owner's pid
 * @param result     what the host's answer means for the lock
 * @param reason     why, in words an operator can check
 * @param report     the host's parsed answer, or null when there is none
 * @param exchanges  every ssh run made for this check, in order (empty when the host was not asked)
 * @param at         when the check began, this host's clock
 */
public record HostCheck(String host, long pid, Result result, String reason, ProbeReport report,
                        List<SshExchange> exchanges, Instant at) {

    /** What the answer means. */
    public enum Result {
        /** Same machine, same boot, same pid namespace, and the pid is gone or belongs to another process. */
        DEAD,
        /** The pid is alive with the start time on record. */
        ALIVE,
        /** Asked, but the answer does not settle it (or there was none). */
        INCONCLUSIVE,
        /** Not asked: the host is not on the allow-list, or the host name or pid is not well-formed. */
        REFUSED
    }

    public HostCheck {
        exchanges = List.copyOf(exchanges);
    }

    /** The host name made safe for human output. */
    public String hostShown() {
        return Printable.shortened(host, 80);
    }

    /** One line for people, e.g. {@code DEAD (checked on hostB over ssh): pid 4242 does not exist there}. */
    public String headline() {
        return switch (result) {
            case DEAD -> "DEAD (checked on " + hostShown() + " over ssh): " + reason;
            case ALIVE -> "HELD (confirmed alive on " + hostShown() + "): " + reason;
            case INCONCLUSIVE -> "inconclusive (asked " + hostShown() + " over ssh): " + reason;
            case REFUSED -> "not asked: " + reason;
        };
    }

    /** One labelled line of evidence for people: {@code asked}, {@code answer} or {@code ssh said}. */
    public record EvidenceLine(String label, String text) {
    }

    /** Every ssh run as labelled lines (what was asked and when, what came back), for the CLI and the inspector. */
    public List<EvidenceLine> evidence() {
        List<EvidenceLine> lines = new java.util.ArrayList<>();
        for (SshExchange e : exchanges) {
            lines.add(new EvidenceLine("asked", e.summary()));
            if (!e.stdout().isEmpty()) {
                lines.add(new EvidenceLine("answer", e.stdout()));
            }
            if (!e.stderr().isEmpty()) {
                lines.add(new EvidenceLine("ssh said", e.stderr()));
            }
        }
        return lines;
    }

    /**
     * The lock's verdict with this check's answer in it: a DEAD answer makes it DEAD (the safe break then accepts
     * it as stale), an ALIVE answer confirms a HELD owner, anything else leaves the state and adds the reason.
     * The reason carries the ssh evidence, so a break's audit record keeps it.
     */
    public Verdict applyTo(Verdict local) {
        String evidence = exchanges.isEmpty() ? "" : " [" + exchanges.get(exchanges.size() - 1).summary() + "]";
        return switch (result) {
            case DEAD -> with(local, LockState.DEAD, headline() + evidence + "; locally: " + local.reason(), false);
            case ALIVE -> with(local, local.state(), headline() + evidence + "; " + local.reason(), true);
            case INCONCLUSIVE, REFUSED -> with(local, local.state(), local.reason() + "; host check "
                    + headline(), local.ownerAlive());
        };
    }

    private static Verdict with(Verdict v, LockState state, String reason, Boolean alive) {
        return new Verdict(v.lock(), state, reason, v.owner(), v.identity(), v.nlink(), v.serverNowMillis(),
                v.skewMillis(), v.heartbeatAgeMillis(), v.lockAgeMillis(), alive);
    }
}
