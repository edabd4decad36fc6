package dev.lockscope.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * What changed between two snapshots of one directory. Immutable; any thread.
 *
 * <p>{@link #changed()} lists entries that differ beyond their ages ({@link ScanEntry#differsBeyondAges}).
 * Ages move on every refresh; a view that shows them takes them from {@link #current()}.
 *
 * @param previous the snapshot before (empty for the first refresh)
 * @param current  the snapshot now
 * @param added    entries new in {@code current}
 * @param changed  entries in both whose kind, state, attributes or owner changed (the current version)
 * @param removed  entries gone from {@code current} (the previous version)
 */
public record SnapshotDiff(DirectorySnapshot previous, DirectorySnapshot current, List<ScanEntry> added,
                           List<ScanEntry> changed, List<ScanEntry> removed) {

    public SnapshotDiff {
        added = List.copyOf(added);
        changed = List.copyOf(changed);
        removed = List.copyOf(removed);
    }

    /** Compares two snapshots of the same directory. */
    public static SnapshotDiff between(DirectorySnapshot previous, DirectorySnapshot current) {
        List<ScanEntry> added = new ArrayList<>();
        List<ScanEntry> changed = new ArrayList<>();
        List<ScanEntry> removed = new ArrayList<>();
        var before = previous.byName();
        var now = current.byName();
        for (ScanEntry e : current.entries()) {
            ScanEntry old = before.get(e.name());
            if (old == null) {
                added.add(e);
            } else if (old.differsBeyondAges(e)) {
                changed.add(e);
            }
        }
        for (ScanEntry e : previous.entries()) {
            if (!now.containsKey(e.name())) {
                removed.add(e);
            }
        }
        return new SnapshotDiff(previous, current, added, changed, removed);
    }

    /** True when nothing was added, changed or removed (ages may still have moved). */
    public boolean isEmpty() {
        return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }
}
