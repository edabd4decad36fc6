package dev.lockscope.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.lock.Verdict;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/** Renders a verdict for people and for scripts. Stateless; any thread. */
public final class VerdictFormat {
    static final ObjectMapper JSON = new ObjectMapper();

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
            String raw = new String(v.identity().content(), StandardCharsets.UTF_8).strip();
            row(out, "content", raw.isEmpty() ? "(empty)" : raw.length() > 200 ? raw.substring(0, 200) + "..." : raw);
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

    private static void row(PrintWriter out, String k, String v) {
        out.printf(Locale.ROOT, "%-11s %s%n", k + ":", v);
    }

    /** A duration as the CLI has always printed it; the one formatter shared with the inspector. */
    public static String age(long ms) {
        return dev.lockscope.text.Durations.compact(ms);
    }
}
