package dev.lockscope.cli;

import dev.lockscope.scan.DirectoryScanner;
import dev.lockscope.scan.DirectorySnapshot;
import dev.lockscope.scan.EntryKind;
import dev.lockscope.scan.EntryState;
import dev.lockscope.scan.ScanEntry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code lockscope ls --format prometheus}: lock directories in the Prometheus text exposition format (0.0.4),
 * the format node_exporter's textfile collector reads. Stateless; any thread.
 *
 * <p>Written here rather than with the prometheus-metrics writer because that library ships only automatic
 * modules, which jlink cannot link into the packaged runtime; the format needs just gauges and the three label
 * escapes, and {@code PrometheusFormatTest} checks the output with a real parser.
 */
public final class PrometheusFormat {

    /** The states every directory reports, zero included, so that a dashboard sees 0 rather than no data. */
    private static final List<EntryState> LOCK_STATES =
            List.of(EntryState.HELD, EntryState.EXPIRED, EntryState.DEAD, EntryState.UNKNOWN);

    private PrometheusFormat() {
    }

    /**
     * The scan of one directory: its snapshot, or the reason it could not be scanned.
     *
     * @param directory       the directory as given, made absolute
     * @param snapshot        the snapshot, or null when the scan failed
     * @param error           why the scan failed, or null
     * @param durationSeconds how long the scan took
     */
    public record DirectoryScan(Path directory, DirectorySnapshot snapshot, String error, double durationSeconds) {
    }

    /** Scans each directory once (a directory named twice is scanned once: Prometheus rejects duplicate series). */
    public static List<DirectoryScan> scan(List<Path> directories) {
        Set<Path> distinct = new LinkedHashSet<>();
        directories.forEach(d -> distinct.add(d.toAbsolutePath().normalize()));
        List<DirectoryScan> scans = new ArrayList<>();
        for (Path dir : distinct) {
            long start = System.nanoTime();
            DirectorySnapshot snap = null;
            String error = null;
            try {
                snap = DirectoryScanner.snapshot(dir);
            } catch (IOException | RuntimeException e) {
                error = ExitCodes.describe(e);
            }
            scans.add(new DirectoryScan(dir, snap, error, (System.nanoTime() - start) / 1e9));
        }
        return scans;
    }

    /** The exposition text for {@code scans}: each metric family once, its samples for every directory. */
    public static String format(List<DirectoryScan> scans) {
        StringBuilder out = new StringBuilder();
        family(out, "lockscope_locks", "Lock files in the directory by state, as lockscope ls lists them.");
        for (DirectoryScan s : scans) {
            if (s.snapshot() == null) {
                continue;
            }
            Map<EntryState, Integer> counts = new EnumMap<>(EntryState.class);
            LOCK_STATES.forEach(st -> counts.put(st, 0));
            for (ScanEntry e : s.snapshot().entries()) {
                if (e.kind().isLockLike()) {
                    counts.merge(e.state(), 1, Integer::sum);
                }
            }
            counts.forEach((state, n) -> sample(out, "lockscope_locks", n,
                    "dir", s.directory().toString(), "state", state.name()));
        }

        family(out, "lockscope_stale_lock_age_seconds",
                "Age of each EXPIRED or DEAD lock, since its owner took it (server clock; since its last write when"
                        + " the owner's record has no acquisition time).");
        for (DirectoryScan s : scans) {
            if (s.snapshot() == null) {
                continue;
            }
            for (ScanEntry e : s.snapshot().entries()) {
                long ageMillis = e.lockAgeMillis() >= 0 ? e.lockAgeMillis() : e.heartbeatAgeMillis();
                if (e.kind().isLockLike() && e.state().isStale() && ageMillis >= 0) {
                    sample(out, "lockscope_stale_lock_age_seconds", ageMillis / 1000.0, "dir", s.directory().toString(),
                            "lock", e.name(), "host", e.host() == null ? "" : e.host(), "state", e.state().name());
                }
            }
        }

        family(out, "lockscope_scan_success", "1 if the directory was scanned, 0 if it could not be (lockscope's"
                + " standard error says why).");
        scans.forEach(s -> sample(out, "lockscope_scan_success", s.snapshot() == null ? 0 : 1,
                "dir", s.directory().toString()));

        family(out, "lockscope_scan_errors", "Entries that could not be examined, plus 1 if the directory could not"
                + " be scanned at all.");
        scans.forEach(s -> sample(out, "lockscope_scan_errors", errors(s), "dir", s.directory().toString()));

        family(out, "lockscope_scan_duration_seconds", "How long scanning the directory took.");
        scans.forEach(s -> sample(out, "lockscope_scan_duration_seconds", s.durationSeconds(),
                "dir", s.directory().toString()));
        return out.toString();
    }

    private static long errors(DirectoryScan s) {
        if (s.snapshot() == null) {
            return 1;
        }
        return s.snapshot().entries().stream().filter(e -> e.kind() == EntryKind.UNREADABLE).count();
    }

    private static void family(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
    }

    private static void sample(StringBuilder out, String name, double value, String... labels) {
        out.append(name).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(labels[i]).append("=\"").append(escapeLabelValue(labels[i + 1])).append('"');
        }
        out.append("} ");
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(String.format(Locale.ROOT, "%.3f", value));
        }
        out.append('\n');
    }

    /** Label values escape backslash, double quote and line feed; nothing else is special (format 0.0.4). */
    static String escapeLabelValue(String v) {
        StringBuilder b = new StringBuilder(v.length() + 8);
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** HELP text escapes backslash and line feed. */
    private static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
