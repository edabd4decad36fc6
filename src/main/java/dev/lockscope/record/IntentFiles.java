package dev.lockscope.record;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.IoErrorText;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The group-commit intent files of one record file (names in {@link RecordIntent}): publish, withdraw, find,
 * take, read, mark and quarantine. Every path is the record file's directory plus a name we built from our
 * own values or from a listed name that matched our grammar; nothing is followed. Stateless; any thread.
 */
final class IntentFiles {
    /** Largest intent file; a bigger change takes the lock itself. Bounds a holder's memory with {@link #MAX_BATCH}. */
    static final int MAX_INTENT_BYTES = 256 * 1024;
    /** Most intents one holder takes (published and orphaned together); the rest wait for the next. */
    static final int MAX_BATCH = 128;

    private final Path file;
    private final Path dir;
    private final String recordName;

    IntentFiles(Path recordFile) {
        this.file = recordFile;
        this.dir = recordFile.getParent();
        this.recordName = recordFile.getFileName().toString();
    }

    Path published(String writerId, long seq) {
        return dir.resolve(RecordIntent.publishedName(recordName, writerId, seq));
    }

    /**
     * Writes the intent under its "new" name and renames it to its published name, so a holder never reads
     * it half-written. No fsync: an intent lost with its host was never reported as saved.
     */
    Path publish(RecordIntent intent, byte[] content) throws IOException {
        Path fresh = dir.resolve(RecordIntent.newName(recordName, intent.writerId(), intent.seq()));
        Path target = published(intent.writerId(), intent.seq());
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(fresh, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer bb = ByteBuffer.wrap(content);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
            }
            Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return target;
        } catch (IOException e) {
            throw new RecordStoreException(file, "not saved: cannot publish the change as " + target + ": "
                    + IoErrorText.reason(e) + "; " + file + " is unchanged", e);
        } finally {
            if (!done) {
                RecordStore.deleteQuietly(fresh);
            }
        }
    }

    /**
     * Withdraws a published intent by unlinking its name. True: withdrawn, no holder can take it any more.
     * False: a holder renamed it first (took it), and its outcome is in a generation to come.
     */
    boolean withdraw(Path published) throws IOException {
        try {
            Files.delete(published);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Which of {@code names} (entries of the record file's directory) are there, by one listing, which a
     * network filesystem's client answers from the server. Null when the directory cannot be listed.
     */
    java.util.Set<String> presentByListing(java.util.Set<String> names) {
        java.util.Set<String> found = new java.util.HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                Path n = p.getFileName();
                if (n != null && names.contains(n.toString())) {
                    found.add(n.toString());
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            return null;
        }
        return found;
    }

    /** A listed intent file. */
    record Listed(Path path, RecordIntent.Name name) {
    }

    /**
     * What a holder found: this record file's published and taken intents, orphans (taken) first, at most
     * {@link #MAX_BATCH}; and its intents still under their "new" name (at most {@link #MAX_BATCH}), which
     * a writer killed between its write and its rename leaves behind.
     */
    record Listing(List<Listed> intents, List<Path> unpublished) {
        static final Listing EMPTY = new Listing(List.of(), List.of());
    }

    /**
     * An intent still under its "new" name this long after it was written (by the server's clock) was left by a
     * writer killed mid-publish: a live writer renames it a moment after writing it. Should a writer that was
     * stopped longer still rename it, the rename fails and its save reports "not saved", which is true.
     */
    static final long ABANDONED_UNPUBLISHED_MILLIS = 10 * 60_000L;

    /**
     * Lists the directory (which, on a FUSE client, also refreshes its cached entries: see
     * {@link RecordStore#refreshDirectoryEntries()}) for this record file's intents.
     */
    Listing list() {
        List<Listed> out = new ArrayList<>();
        List<Path> unpublished = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                Path n = p.getFileName();
                if (n == null) {
                    continue;
                }
                String s = n.toString();
                if (s.length() > recordName.length() + 64 || !s.startsWith("." + recordName + ".")) {
                    continue;
                }
                Optional<RecordIntent.FileName> f = RecordIntent.parseFileName(s)
                        .filter(x -> x.recordFileName().equals(recordName));
                if (f.isEmpty()) {
                    continue;
                }
                if (f.get().form() == RecordIntent.Form.NEW) {
                    if (unpublished.size() < MAX_BATCH) {
                        unpublished.add(dir.resolve(s));
                    }
                    continue;
                }
                RecordIntent.parseName(s).ifPresent(x -> out.add(new Listed(dir.resolve(s), x)));
            }
        } catch (IOException | DirectoryIteratorException e) {
            // Best effort: intents not seen now are taken by the next holder.
        }
        out.sort(Comparator.comparing((Listed l) -> !l.name().taken()).thenComparing(l -> l.name().seq()));
        return new Listing(out.size() > MAX_BATCH ? out.subList(0, MAX_BATCH) : out, unpublished);
    }

    /**
     * Removes the unpublished intents older than {@link #ABANDONED_UNPUBLISHED_MILLIS} by the server clock
     * ({@code serverNowMillis}, the mtime of a file just written). Never applied, so nothing is lost; a name
     * that is not a regular file (someone's symbolic link) is unlinked as a name, never followed.
     *
     * @return how many were removed
     */
    int removeAbandoned(List<Path> unpublished, long serverNowMillis) {
        int removed = 0;
        for (Path p : unpublished) {
            try {
                FileFacts f = FileFacts.lstatOrNull(p);
                if (f != null && f.type() != FileFacts.Type.DIRECTORY
                        && serverNowMillis - f.mtimeMillis() > ABANDONED_UNPUBLISHED_MILLIS
                        && Files.deleteIfExists(p)) {
                    removed++;
                }
            } catch (IOException e) {
                // Best effort: the next holder tries again, and the scanner shows it as an orphan meanwhile.
            }
        }
        return removed;
    }

    Path taken(String writerId, long seq) {
        return dir.resolve(RecordIntent.takenName(recordName, writerId, seq));
    }

    Path quarantined(String writerId, long seq) {
        return dir.resolve(RecordIntent.quarantineName(recordName, writerId, seq));
    }

    /** Takes a published intent; null when it was withdrawn. */
    Listed take(Listed published) throws IOException {
        RecordIntent.Name n = published.name();
        Path taken = taken(n.writerId(), n.seq());
        try {
            Files.move(published.path(), taken, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return null;
        }
        return new Listed(taken, new RecordIntent.Name(recordName, n.writerId(), n.seq(), true));
    }

    /** Reads and parses a taken intent: regular file only, never followed, at most {@link #MAX_INTENT_BYTES}. */
    RecordIntent read(Listed taken) throws IOException, RecordIntent.MalformedIntentException {
        FileFacts f = FileFacts.lstatOrNull(taken.path());
        if (f == null) {
            throw new NoSuchFileException(taken.path().toString());
        }
        if (f.type() != FileFacts.Type.REGULAR) {
            throw new RecordIntent.MalformedIntentException("not a regular file (" + f.type().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        byte[] buf = new byte[(int) Math.min(MAX_INTENT_BYTES + 1L, Math.max(f.size(), 0) + 1)];
        int n = 0;
        try (FileChannel ch = FileChannel.open(taken.path(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (n <= MAX_INTENT_BYTES) {
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(MAX_INTENT_BYTES + 1L, buf.length * 2L));
                }
                int r = ch.read(ByteBuffer.wrap(buf, n, buf.length - n));
                if (r < 0) {
                    break;
                }
                n += r;
            }
        }
        if (n > MAX_INTENT_BYTES) {
            throw new RecordIntent.MalformedIntentException("larger than " + MAX_INTENT_BYTES + " bytes");
        }
        return RecordIntent.decode(taken.name(), Arrays.copyOf(buf, n));
    }

    /** Moves an intent no holder may apply out of the way, under a name the scanner and people can find. */
    Path quarantine(Listed taken) {
        Path bad = dir.resolve(RecordIntent.quarantineName(recordName, taken.name().writerId(), taken.name().seq()));
        try {
            Files.move(taken.path(), bad, StandardCopyOption.ATOMIC_MOVE);
            return bad;
        } catch (IOException e) {
            RecordStore.deleteQuietly(taken.path());
            return null;
        }
    }

    /** The holder is done with a taken intent: its outcome is in the record file. */
    void mark(Listed taken) {
        RecordStore.deleteQuietly(taken.path());
    }
}
