package dev.lockscope.scan;

import dev.lockscope.lock.ServerClock;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every entry of one lock directory, classified, as of one refresh. Immutable; any thread.
 *
 * <p>Entries are sorted by name. All ages in the entries use the one server-clock reading of this
 * snapshot ({@link #clock()}), so they are consistent with each other.
 */
public final class DirectorySnapshot {
    private final Path directory;
    private final String fileSystemType;
    private final long takenAtMillis;
    private final ServerClock.Reading clock;
    private final String clockError;
    private final List<ScanEntry> entries;
    private final Map<String, ScanEntry> byName;
    private final int contentReads;

    /**
     * @param directory      the scanned directory
     * @param fileSystemType {@code FileStore.type()} of the directory, or "?" when unknown
     * @param takenAtMillis  this host's wall clock when the refresh began
     * @param clock          the server-clock reading used for every age, or null when no probe could be written
     * @param clockError     why the server clock could not be read, or null
     * @param entries        the entries, sorted by name
     * @param contentReads   how many entries had their content (re-)read in this refresh
     */
    public DirectorySnapshot(Path directory, String fileSystemType, long takenAtMillis, ServerClock.Reading clock,
                             String clockError, List<ScanEntry> entries, int contentReads) {
        this.directory = directory;
        this.fileSystemType = fileSystemType;
        this.takenAtMillis = takenAtMillis;
        this.clock = clock;
        this.clockError = clockError;
        this.entries = List.copyOf(entries);
        Map<String, ScanEntry> m = new LinkedHashMap<>(entries.size() * 2);
        for (ScanEntry e : this.entries) {
            m.put(e.name(), e);
        }
        this.byName = Collections.unmodifiableMap(m);
        this.contentReads = contentReads;
    }

    /** An empty snapshot: the "before" of the first refresh. */
    public static DirectorySnapshot empty(Path directory) {
        return new DirectorySnapshot(directory, "?", 0, null, null, List.of(), 0);
    }

    public Path directory() {
        return directory;
    }

    /** {@code FileStore.type()} of the directory, e.g. {@code ext4}, {@code nfs4}, {@code fuse.glusterfs}. */
    public String fileSystemType() {
        return fileSystemType;
    }

    public long takenAtMillis() {
        return takenAtMillis;
    }

    /** The server-clock reading behind every age, or null when it could not be measured. */
    public ServerClock.Reading clock() {
        return clock;
    }

    /** Why the server clock could not be measured (read-only directory, no space...), or null. */
    public String clockError() {
        return clockError;
    }

    /** Server clock minus this host's clock, in ms, when measured. */
    public Optional<Long> skewMillis() {
        return clock == null ? Optional.empty() : Optional.of(clock.skewMillis());
    }

    /** All entries, sorted by name. */
    public List<ScanEntry> entries() {
        return entries;
    }

    /** Entries by name, in name order. */
    public Map<String, ScanEntry> byName() {
        return byName;
    }

    public Optional<ScanEntry> entry(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Entries of one kind, in name order. */
    public List<ScanEntry> ofKind(EntryKind kind) {
        return entries.stream().filter(e -> e.kind() == kind).toList();
    }

    /** How many entries had their content read in the refresh that made this snapshot. */
    public int contentReads() {
        return contentReads;
    }

    @Override
    public String toString() {
        return "DirectorySnapshot[" + directory + ", " + entries.size() + " entries, fs " + fileSystemType + "]";
    }
}
