package dev.lockscope.ui.common;

import dev.lockscope.text.Durations;

import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.Verdict;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a user must know before a break: who holds the lock, since when, why it is judged stale and
 * the evidence the break will check. Immutable; any thread.
 *
 * @param lockPath  the lock file
 * @param state     the verdict
 * @param holder    the holder in words
 * @param since     acquisition time and age in words
 * @param why       the verdict's reason
 * @param evidence  ordered label/value pairs: inode, mtime, size, link count, token, heartbeat age, clock
 * @param force     true when the lock is not stale and breaking it means forcing
 */
public record BreakConfirmation(String lockPath, LockState state, String holder, String since, String why,
                                Map<String, String> evidence, boolean force) {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    public BreakConfirmation {
        evidence = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
    }

    /** The confirmation for breaking the lock judged by {@code v}, with ages advanced to {@code lockAgeMillis}. */
    public static BreakConfirmation of(Verdict v, long lockAgeMillis, long heartbeatAgeMillis) {
        LockOwner o = v.owner();
        String since = o == null ? "unknown (the lock holds no lockscope owner record)"
                : TIME.format(Instant.ofEpochMilli(o.acquiredAt())) + " (" + Durations.compact(lockAgeMillis) + " ago,"
                + " in the owner's clock)";
        Map<String, String> ev = new LinkedHashMap<>();
        if (v.identity() != null) {
            ev.put("Inode", Long.toString(v.identity().inode()));
            ev.put("Modified (server clock)", TIME.format(Instant.ofEpochMilli(v.identity().mtimeMillis())));
            ev.put("Size", v.identity().size() + " bytes");
        }
        ev.put("Link count", v.nlink() < 0 ? "unknown" : Long.toString(v.nlink()));
        if (o != null) {
            ev.put("Host id", o.hostId());
            ev.put("Token", o.token());
            ev.put("Lease", Durations.compact(o.leaseMillis()));
            ev.put("Owner process", v.ownerAlive() == null ? "on another host: cannot be checked from here"
                    : v.ownerAlive() ? "alive" : "gone");
        } else if (v.identity() != null) {
            String text = new String(v.identity().content(), StandardCharsets.UTF_8).strip();
            ev.put("Content", text.length() > 120 ? text.substring(0, 120) + "…" : text);
        }
        ev.put("Last heartbeat", heartbeatAgeMillis < 0 ? "unknown (server clock not measured)"
                : Durations.compact(heartbeatAgeMillis) + " ago (server clock)");
        ev.put("Server clock skew", v.serverNowMillis() < 0 ? "not measured" : Durations.signed(v.skewMillis()));
        return new BreakConfirmation(v.lock().toString(), v.state(), v.holderDescription(), since, v.reason(), ev,
                !v.state().isStale());
    }

    /** The whole confirmation as plain text, for dialogs and logs. */
    public String asText() {
        StringBuilder b = new StringBuilder();
        b.append("Lock: ").append(lockPath).append('\n');
        b.append("State: ").append(state).append('\n');
        b.append("Held by: ").append(holder).append('\n');
        b.append("Since: ").append(since).append('\n');
        b.append("Why ").append(force ? "it is NOT stale" : "it is stale").append(": ").append(why).append('\n');
        evidence.forEach((k, val) -> b.append(k).append(": ").append(val).append('\n'));
        return b.toString();
    }
}
