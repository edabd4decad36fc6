package dev.lockscope.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.scan.EntryKind;
import dev.lockscope.scan.EntryNames;
import dev.lockscope.formats.ForeignLock;
import dev.lockscope.lock.LockFile;
import dev.lockscope.record.RecordIntent;
import dev.lockscope.scan.EntryState;
import dev.lockscope.scan.ScanEntry;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Renders scanner entries as an lslocks-like table and as JSON. Stateless; any thread. */
public final class ScanFormat {

    static final String[] HEADER = {"NAME", "STATE", "HOST", "PID", "USER", "AGE", "HEARTBEAT", "NLINK", "LEASE", "KIND"};

    private ScanFormat() {
    }

    /** The table cells of one entry, in {@link #HEADER} order, escaped for the terminal. */
    public static String[] cells(ScanEntry e) {
        return new String[] {
                TerminalText.escape(e.name()),
                e.state().name(),
                TerminalText.escape(dash(e.host())),
                e.pid() < 0 ? "-" : Long.toString(e.pid()),
                TerminalText.escape(dash(e.user())),
                VerdictFormat.age(e.lockAgeMillis()),
                VerdictFormat.age(hasHeartbeat(e.kind()) ? e.heartbeatAgeMillis() : -1),
                e.nlink() < 0 ? "-" : Long.toString(e.nlink()),
                VerdictFormat.age(e.leaseMillis()),
                e.kind().name()};
    }

    /** Prints a header and one aligned row per entry. */
    public static void printTable(List<ScanEntry> entries, PrintWriter out) {
        List<String[]> rows = new ArrayList<>(entries.size() + 1);
        rows.add(HEADER);
        for (ScanEntry e : entries) {
            rows.add(cells(e));
        }
        int[] width = new int[HEADER.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            b.setLength(0);
            for (int i = 0; i < r.length; i++) {
                boolean numeric = i == 3 || i == 7;
                String cell = r[i];
                if (i == r.length - 1) {
                    b.append(cell);
                } else if (numeric) {
                    b.append(" ".repeat(width[i] - cell.length())).append(cell).append("  ");
                } else {
                    b.append(cell).append(" ".repeat(width[i] - cell.length() + 2));
                }
            }
            out.println(b.toString().stripTrailing());
        }
    }

    /** One entry as a JSON object: at least name, kind, state, host, pid, nlink. */
    public static ObjectNode toJson(ScanEntry e) {
        ObjectNode n = VerdictFormat.JSON.createObjectNode();
        n.put("name", EntryNames.forJson(e.name()));
        n.put("kind", e.kind().name());
        n.put("state", e.state().name());
        n.put("reason", e.reason());
        putOrNull(n, "host", e.host());
        if (e.pid() >= 0) {
            n.put("pid", e.pid());
        } else {
            n.putNull("pid");
        }
        putOrNull(n, "user", e.user());
        if (e.nlink() >= 0) {
            n.put("nlink", e.nlink());
        } else {
            n.putNull("nlink");
        }
        if (e.facts() != null) {
            n.put("inode", e.inode());
            n.put("size", e.size());
            n.put("mtime", Instant.ofEpochMilli(e.mtimeMillis()).toString());
        }
        putAge(n, "lockAgeMillis", e.lockAgeMillis());
        putAge(n, "heartbeatAgeMillis", e.heartbeatAgeMillis());
        putAge(n, "leaseMillis", e.leaseMillis());
        if (e.owner() != null) {
            n.put("hostId", e.owner().hostId());
            n.put("token", e.owner().token());
            n.put("acquiredAt", Instant.ofEpochMilli(e.owner().acquiredAt()).toString());
            if (e.owner().purpose() != null) {
                n.put("purpose", e.owner().purpose());
            }
        } else if (e.token() != null) {
            n.put("token", e.token());
        }
        if (e.lockName() != null) {
            if (e.kind() == EntryKind.RECORD_TEMP || e.kind() == EntryKind.RECORD_INTENT) {
                // The scanner keeps the record file's name there; the lock that governs the file is its ".lock".
                n.put("record", EntryNames.forJson(e.lockName()));
                n.put("lock", EntryNames.forJson(e.lockName() + LockFile.LOCK_SUFFIX));
            } else {
                n.put("lock", EntryNames.forJson(e.lockName()));
            }
        }
        if (e.linkTarget() != null) {
            n.put("linkTarget", e.linkTarget());
        }
        if (e.foreign() != null) {
            n.put("foreignFormat", e.foreign().format());
        }
        if (e.kind() == EntryKind.RECORD_INTENT) {
            // From the name alone, as the scanner judged it: the file itself is never read.
            RecordIntent.parseFileName(e.name()).ifPresent(i -> n.putObject("intent")
                    .put("record", EntryNames.forJson(i.recordFileName()))
                    .put("form", i.form().infix())
                    .put("writer", i.writerId())
                    .put("seq", i.seq()));
        }
        // Issue 14: every lock names its format ("lockscope" for ours) and its verdict, whose reason is in that
        // tool's own terms.
        String format = e.foreign() != null ? e.foreign().format()
                : e.owner() != null ? ForeignLock.LOCKSCOPE : null;
        if (format != null) {
            n.put("format", format);
        }
        if (e.kind().isLockLike() && e.state() != EntryState.NONE) {
            n.put("verdict", e.state().name());
        }
        return n;
    }

    private static void putOrNull(ObjectNode n, String k, String v) {
        if (v == null) {
            n.putNull(k);
        } else {
            n.put(k, v);
        }
    }

    private static void putAge(ObjectNode n, String k, long v) {
        if (v >= 0) {
            n.put(k, v);
        } else {
            n.putNull(k);
        }
    }

    /** A directory's or a FIFO's mtime is no heartbeat: the column shows one only for files a lock writes. */
    private static boolean hasHeartbeat(EntryKind k) {
        return k != EntryKind.DIRECTORY && k != EntryKind.AUDIT_DIR && k != EntryKind.SPECIAL && k != EntryKind.SYMLINK;
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
