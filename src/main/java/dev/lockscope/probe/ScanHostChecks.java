package dev.lockscope.probe;

import dev.lockscope.scan.EntryKind;
import dev.lockscope.scan.ScanEntry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Asks the owners' hosts about the locks of one directory listing ({@code ls --ask-hosts}). The calling thread
 * blocks; any thread but the JavaFX one.
 */
public final class ScanHostChecks {
    /** A few checks at once, so one unreachable host (5 s) does not make every other wait behind it. */
    private static final int PARALLEL = 4;

    /** An entry with its host's answer applied, and the check (null when the host was not worth asking). */
    public record CheckedEntry(ScanEntry entry, HostCheck check) {
    }

    private ScanHostChecks() {
    }

    public static List<CheckedEntry> check(List<ScanEntry> entries, HostChecker checker) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "lockscope-ask-host");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<Integer, Future<HostChecker.Checked>> asked = new HashMap<>();
            for (int i = 0; i < entries.size(); i++) {
                ScanEntry e = entries.get(i);
                if (e.kind() == EntryKind.LOCK && e.verdict() != null && checker.worthAsking(e.verdict())) {
                    asked.put(i, pool.submit(() -> checker.check(e.verdict())));
                }
            }
            List<CheckedEntry> out = new ArrayList<>(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                ScanEntry e = entries.get(i);
                Future<HostChecker.Checked> f = asked.get(i);
                if (f == null) {
                    out.add(new CheckedEntry(e, null));
                    continue;
                }
                HostChecker.Checked c;
                try {
                    c = f.get();
                } catch (ExecutionException ex) {
                    throw new IllegalStateException("host check failed: " + ex.getCause(), ex.getCause());
                }
                out.add(new CheckedEntry(applied(e, c.verdict()), c.check()));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The entry with a verdict that a host check changed: state, reason and verdict, nothing else. */
    public static ScanEntry applied(ScanEntry e, dev.lockscope.lock.Verdict v) {
        return e.withVerdict(v);
    }
}
