package dev.lockscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.lock.JsonMappers;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.Verdict;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;

/** Renders a verdict for people and for scripts. Stateless; any thread. */
public final class VerdictFormat {
    static final ObjectMapper JSON = JsonMappers.cliOutput();

    private VerdictFormat() {
    }

    public static ObjectNode toJson(Verdict v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("lock", v.lock().toString());
        n.put("state", v.state().name());
        n.put("reason", v.reason());
        LockOwner o = v.owner();
        if (o != null) {
            n.put("host", o.host());
            n.put("hostId", o.hostId());
            n.put("pid", o.pid());
            n.put("user", o.user());
            if (o.startTime() != null) {
                n.put("processStartTime", o.startTime());
            }
            n.put("token", o.token());
            n.put("leaseMillis", o.leaseMillis());
            n.put("acquiredAt", Instant.ofEpochMilli(o.acquiredAt()).toString());
            if (o.purpose() != null) {
                n.put("purpose", o.purpose());
            }
        } else {
            n.putNull("host");
            n.putNull("pid");
        }
        if (v.identity() != null) {
            n.put("nlink", v.nlink());
            n.put("inode", v.identity().inode());
            n.put("size", v.identity().size());
            n.put("mtime", Instant.ofEpochMilli(v.identity().mtimeMillis()).toString());
        } else {
            n.putNull("nlink");
        }
        putAge(n, "lockAgeMillis", v.lockAgeMillis());
        putAge(n, "heartbeatAgeMillis", v.heartbeatAgeMillis());
        if (v.serverNowMillis() >= 0) {
            n.put("serverNow", Instant.ofEpochMilli(v.serverNowMillis()).toString());
            n.put("clockSkewMillis", v.skewMillis());
        }
        if (v.ownerAlive() != null) {
            n.put("ownerProcessAlive", v.ownerAlive());
        }
        return n;
    }

    private static void putAge(ObjectNode n, String key, long v) {
        if (v >= 0) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    public static void printHuman(Verdict v, PrintWriter out) {
        row(out, "lock", v.lock().toString());
        row(out, "state", v.state() + " (" + v.reason() + ")");
        LockOwner o = v.owner();
        if (o != null) {
            row(out, "owner", o.user() + "@" + o.host() + " pid " + o.pid());
            row(out, "host id", o.hostId() + (o.bootId() == null ? "" : "  boot " + o.bootId()));
            if (o.purpose() != null) {
                row(out, "purpose", o.purpose());
            }
            row(out, "acquired", Instant.ofEpochMilli(o.acquiredAt()) + " (owner's clock)");
            row(out, "lease", age(o.leaseMillis()));
            row(out, "token", o.token());
        } else if (v.identity() != null) {
            escapedRow(out, "content", content(v.identity().content()));
        }
        if (v.lockAgeMillis() >= 0) {
            row(out, "lock age", age(v.lockAgeMillis()));
        }
        if (v.heartbeatAgeMillis() >= 0) {
            row(out, "heartbeat", age(v.heartbeatAgeMillis()) + " ago (server clock)");
        }
        if (v.identity() != null) {
            row(out, "link count", String.valueOf(v.nlink()));
            row(out, "inode", String.valueOf(v.identity().inode()));
            row(out, "size", v.identity().size() + " bytes");
        }
        if (v.serverNowMillis() >= 0) {
            row(out, "clock skew", String.format(Locale.ROOT, "%+d ms (server minus this host)", v.skewMillis()));
        }
        if (v.ownerAlive() != null) {
            row(out, "process", v.ownerAlive() ? "alive on this host" : "gone from this host");
        }
    }

    /** Every value shown is escaped: owner fields and content come from a file anyone may have written. */
    private static void row(PrintWriter out, String k, String v) {
        escapedRow(out, k, TerminalText.escape(v));
    }

    private static void escapedRow(PrintWriter out, String k, String escaped) {
        out.printf(Locale.ROOT, "%-11s %s%n", k + ":", escaped);
    }

    /** Raw content (not an owner record), its first 200 bytes without surrounding blanks, escaped. */
    private static String content(byte[] c) {
        int from = 0;
        int to = c.length;
        while (from < to && (c[from] == ' ' || c[from] == '\n' || c[from] == '\r' || c[from] == '\t')) {
            from++;
        }
        while (to > from && (c[to - 1] == ' ' || c[to - 1] == '\n' || c[to - 1] == '\r' || c[to - 1] == '\t')) {
            to--;
        }
        if (from == to) {
            return "(empty)";
        }
        int shown = Math.min(to - from, 200);
        return TerminalText.escape(c, from, shown) + (shown < to - from ? "..." : "");
    }

    /** A duration as the CLI has always printed it; the one formatter shared with the inspector. */
    public static String age(long ms) {
        return dev.lockscope.text.Durations.compact(ms);
    }
}
