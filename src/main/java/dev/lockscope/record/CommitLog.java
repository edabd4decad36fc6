package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The part of a record file that proves which group-commit intents it holds (the {@code commits} field,
 * docs/RECORDS.md): for each writer, the sequence number of its last applied intent and the generation that
 * applied it. Immutable; any thread.
 *
 * <p>A writer (one thread of one process, {@link RecordIntent#writerId()}) has at most one intent outstanding
 * and numbers them upwards, so "the last applied sequence number of writer W is at least S" proves that
 * intent (W, S) was applied, and a holder that finds it so never applies it again.
 *
 * <p><b>The bound.</b> Writers come and go (each process start is a new writer), so at most
 * {@link #MAX_WRITERS} entries are kept: when a commit would exceed it, the entries with the oldest
 * generation are dropped and {@code evictedThrough} rises to the newest generation dropped. An intent known
 * to be uncommitted at generation P (P is in its file and in its taken name) whose writer has no entry, or a
 * smaller one, was never applied when {@code evictedThrough <= P}; when {@code evictedThrough > P} its entry
 * may have been dropped, the outcome is {@link Outcome#UNKNOWN}, and the store neither applies it again nor
 * reports it as saved. That takes more than {@link #MAX_WRITERS} other writers committing between its commit
 * and the check.
 *
 * @param writers        writer id to its last applied intent, sorted by writer id
 * @param evictedThrough the newest generation of any entry dropped by the bound (0 when none was)
 */
public record CommitLog(Map<String, Entry> writers, long evictedThrough) {

    /** Entries kept: the table of a busy file with many short-lived writers stays near 30 KiB. */
    public static final int MAX_WRITERS = 256;
    /** Decoding refuses a larger table: no writer of this format produces one. */
    static final int MAX_DECODED_WRITERS = 4096;
    static final Pattern WRITER_ID = Pattern.compile("[0-9a-f]{16}");

    /** No intent was ever committed. */
    public static final CommitLog EMPTY = new CommitLog(Map.of(), 0);

    /**
     * The last applied intent of one writer.
     *
     * @param seq        its sequence number
     * @param generation the generation that applied it
     * @param value      for an intent ending in an increment, the value it produced; else null
     * @param refused    why the holder could not apply it (it then changed nothing), else null
     */
    public record Entry(long seq, long generation, JsonNode value, String refused) {
    }

    /** Whether an intent is in the file. */
    public enum Outcome { APPLIED, NOT_APPLIED, UNKNOWN }

    public CommitLog {
        Objects.requireNonNull(writers, "writers");
        writers = Collections.unmodifiableMap(new TreeMap<>(writers));
    }

    public boolean isEmpty() {
        return writers.isEmpty() && evictedThrough == 0;
    }

    /**
     * Whether intent ({@code writer}, {@code seq}), known not to be committed at generation {@code notBefore},
     * is in the generation that carries this log.
     */
    public Outcome outcome(String writer, long seq, long notBefore) {
        Entry e = writers.get(writer);
        if (e != null && e.seq() >= seq) {
            return Outcome.APPLIED;
        }
        return evictedThrough > notBefore ? Outcome.UNKNOWN : Outcome.NOT_APPLIED;
    }

    /** This log with intent ({@code writer}, {@code seq}) applied by {@code generation}, within the bound. */
    CommitLog with(String writer, Entry entry, int maxWriters) {
        TreeMap<String, Entry> m = new TreeMap<>(writers);
        m.put(writer, entry);
        long evicted = evictedThrough;
        while (m.size() > maxWriters) {
            String oldest = null;
            for (Map.Entry<String, Entry> x : m.entrySet()) {
                if (!x.getKey().equals(writer)
                        && (oldest == null || x.getValue().generation() < m.get(oldest).generation())) {
                    oldest = x.getKey();
                }
            }
            evicted = Math.max(evicted, m.remove(oldest).generation());
        }
        return new CommitLog(m, evicted);
    }
}
