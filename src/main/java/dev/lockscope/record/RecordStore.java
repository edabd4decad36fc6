package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.IoErrorText;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockException;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockLostException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A shared JSON record file (design.md section 2): lockless reads that always see a whole generation,
 * and one save path that never loses an update. Thread-safe; any thread, any number of processes and hosts.
 *
 * <pre>{@code
 * RecordStore store = RecordStore.open(Path.of("/shared/records.json"));
 * store.put("job-17", JsonNodeFactory.instance.textNode("done"));
 * RecordSnapshot s = store.read();           // no lock taken
 * }</pre>
 *
 * <p>The save path: lock {@code records.json.lock}; re-read; apply the change; write and fsync a temp
 * file beside the record file ({@link RecordTempFile}); fence (the lock is still ours and the generation
 * on disk is still the one we read); rename over the record file; fsync the directory; release. Any
 * failure before the rename leaves the old file as it was and removes the temp file.
 */
public final class RecordStore {

    /** Expected generation meaning "no expectation": apply the change to whatever is newest. */
    public static final long ANY_GENERATION = -1;

    /** What an optimistic save does when the file moved on since the caller loaded it. */
    public enum OnConflict {
        /** Throw {@link RecordConflictException}; nothing is written. */
        FAIL,
        /** Apply the change again on top of the newest generation. */
        REAPPLY
    }

    /** The points of the save path, in order; a step listener hears each one as it is passed. */
    public enum SaveStep { LOCKED, READ, CHANGED, TEMP_WRITTEN, FENCED, RENAMED, DIRECTORY_SYNCED, RELEASED }

    private final Path file;
    private final RecordStoreOptions options;
    private final Consumer<SaveStep> stepListener;
    /** Set once a read found the file; "missing" must then persist longer before it is believed. */
    private volatile boolean seenExisting;
    /** Null until the first save asks; then whether the directory is on a local filesystem. */
    private volatile Boolean localFilesystem;

    private RecordStore(Path file, RecordStoreOptions options, Consumer<SaveStep> stepListener) {
        this.file = file;
        this.options = options;
        this.stepListener = stepListener;
    }

    /** The store over {@code file} (which need not exist yet) with default options. */
    public static RecordStore open(Path file) {
        return open(file, RecordStoreOptions.defaults());
    }

    public static RecordStore open(Path file, RecordStoreOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        Path abs = file.toAbsolutePath().normalize();
        if (abs.getFileName() == null || abs.getParent() == null) {
            throw new IllegalArgumentException("not a record file path: '" + file + "'");
        }
        return new RecordStore(abs, options, null);
    }

    /**
     * The same store, telling {@code listener} (on the saving thread) as each save step is passed.
     * For progress display and for tests that act between steps.
     */
    public RecordStore withStepListener(Consumer<SaveStep> listener) {
        return new RecordStore(file, options, listener);
    }

    public Path file() {
        return file;
    }

    public RecordStoreOptions options() {
        return options;
    }

    /** The lock that guards this record file: {@code records.json.lock} beside it. */
    public LockFile lockFile() {
        return LockFile.forResource(file);
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads one whole generation without a lock. ESTALE and a file replaced between lookup and open are
     * retried; so is content that looks torn ({@link RecordStoreOptions#tornRetry()}, or
     * {@link RecordStoreOptions#staleSizeRetry()} for a cut at a size class), after which it is reported as
     * corrupt. On a client that caches directory entries (GlusterFS: about 1 s) the generation may be that
     * old; {@link #readFresh()} is not.
     *
     * @throws CorruptRecordFileException when the file is corrupt, too large or of an unknown format
     */
    public RecordSnapshot read() throws IOException {
        return load().snapshot();
    }

    /** A generation as read, with the exact bytes it was decoded from (null for a missing file). */
    private record Loaded(RecordSnapshot snapshot, byte[] bytes) {
    }

    /** {@link #read()}, keeping the bytes: the save path's fencing check on a local filesystem compares them. */
    private Loaded load() throws IOException {
        long start = System.nanoTime();
        long tornDeadline = start + options.tornRetry().toNanos();
        long staleDeadline = start + options.staleRetry().toNanos();
        long staleSizeDeadline = start + options.staleSizeRetry().toNanos();
        long sleepMillis = 1;
        while (true) {
            try {
                return readOnce();
            } catch (CorruptRecordFileException e) {
                // A cut at a size class is what a stale cached size produces: wait that out longest.
                long deadline = e.problem() == CorruptRecordFileException.Problem.TRUNCATED
                        && RecordFormat.isSizeClass(e.sizeRead()) ? staleSizeDeadline : tornDeadline;
                if (!e.problem().possiblyTorn() || System.nanoTime() - deadline > 0) {
                    throw e;
                }
            } catch (Vanished e) {
                if (System.nanoTime() - staleDeadline > 0) {
                    throw new RecordStoreException(file, "cannot read record file " + file
                            + ": it kept being replaced or vanishing for " + options.staleRetry().toMillis() + " ms", e);
                }
            } catch (IOException e) {
                if (!FileFacts.isStale(e) || System.nanoTime() - staleDeadline > 0) {
                    throw readError(e);
                }
            }
            sleep(sleepMillis + ThreadLocalRandom.current().nextLong(sleepMillis + 1));
            sleepMillis = Math.min(sleepMillis * 2, 100);
        }
    }

    /** The name was there at lookup but gone at open: another host renamed over it. Retry. */
    private static final class Vanished extends IOException {
        Vanished(IOException cause) {
            super(cause);
        }
    }

    /**
     * {@link #read()} after refreshing this client's view of the directory. Slower (it lists the
     * directory), but it does not return a generation older than the newest one committed before the call
     * began, on clients that cache directory entries (see {@link #refreshDirectoryEntries()}).
     */
    public RecordSnapshot readFresh() throws IOException {
        refreshDirectoryEntries();
        return read();
    }

    /**
     * A FUSE client (GlusterFS) keeps a directory entry for about a second; opening the name then can
     * still reach the replaced file, and its client-side cache serves the OLD content, whole and
     * parseable. A writer that read that under the lock would overwrite a newer generation. Listing the
     * directory (the kernel uses READDIRPLUS) refreshes every entry, so the open that follows reaches the
     * file now behind the name. Measured on the gluster testbed: a read on mount A right after a commit
     * through mount B returned the old generation 20 times of 20; after a listing, 0 of 20.
     */
    void refreshDirectoryEntries() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(file.getParent())) {
            for (Path ignored : entries) {
                // reading every entry is the point
            }
        } catch (IOException | DirectoryIteratorException e) {
            // Best effort: a directory we cannot list still reads; the fencing check reads again.
        }
    }

    private Loaded readOnce() throws IOException {
        FileFacts f = FileFacts.lstatOrNull(file);
        if (f == null) {
            f = confirmMissing();
            if (f == null) {
                return new Loaded(RecordSnapshot.missing(file), null);
            }
        }
        if (f.type() != FileFacts.Type.REGULAR) {
            String what = f.type() == FileFacts.Type.SYMLINK
                    ? "a symbolic link (saves replace the file by rename, which would replace the link)"
                    : f.type().name().toLowerCase();
            throw new CorruptRecordFileException(file, CorruptRecordFileException.Problem.NOT_REGULAR_FILE, what);
        }
        byte[] bytes = readBytes();
        RecordFormat.Decoded d = RecordFormat.decode(file, bytes);
        seenExisting = true;
        return new Loaded(new RecordSnapshot(file, true, d.generation(), d.writer(), d.records(), bytes.length), bytes);
    }

    /**
     * The whole content of the file as it is now, bounded by the size limit, never following a symbolic
     * link. {@link Vanished} when the name is gone between lookup and read.
     */
    private byte[] readBytes() throws IOException {
        long max = options.maxBytes();
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            // After the open (which revalidates on NFS), the size is fresh; check it before reading.
            long size = ch.size();
            if (size > max) {
                throw tooLarge(size);
            }
            // Read until EOF rather than trusting the size: sshfs may hold a stale size for seconds.
            bytes = new byte[(int) Math.min(max + 1, Math.max(size, 0) + 8192)];
            int n = 0;
            while (true) {
                if (n == bytes.length) {
                    if (n > max) {
                        throw tooLarge(n);
                    }
                    bytes = Arrays.copyOf(bytes, (int) Math.min(max + 1, (long) bytes.length * 2));
                }
                int r = ch.read(ByteBuffer.wrap(bytes, n, bytes.length - n));
                if (r < 0) {
                    break;
                }
                n += r;
            }
            if (n > max) {
                throw tooLarge(n);
            }
            bytes = Arrays.copyOf(bytes, n);
        } catch (NoSuchFileException e) {
            throw new Vanished(e);
        } catch (IOException e) {
            // sshfs reports ENOENT from a read on a handle whose file was just renamed over.
            if (e.getMessage() != null && e.getMessage().contains("No such file")) {
                throw new Vanished(e);
            }
            throw e;
        }
        return bytes;
    }

    /**
     * A lookup said "no such file". On sshfs that is also what a reader sees for a moment while its own
     * mount renames a new generation over the file, so "missing" is believed only when it persists:
     * over about 70 ms, or about a second once this store has seen the file exist.
     *
     * @return the file's facts if it turned out to be there, or null when it is missing
     */
    private FileFacts confirmMissing() throws IOException {
        long until = System.nanoTime() + (seenExisting ? 1_000_000_000L : 70_000_000L);
        long sleepMillis = 5;
        while (System.nanoTime() - until < 0) {
            sleep(sleepMillis);
            sleepMillis = Math.min(sleepMillis * 2, 100);
            FileFacts f = FileFacts.lstatOrNull(file);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private CorruptRecordFileException tooLarge(long size) {
        return new CorruptRecordFileException(file, CorruptRecordFileException.Problem.TOO_LARGE,
                (size > options.maxBytes() ? size + " bytes" : "more than " + options.maxBytes() + " bytes")
                        + ", over the limit of " + options.maxBytes() + " bytes; not parsed");
    }

    private IOException readError(IOException e) {
        if (e instanceof RecordStoreException) {
            return e;
        }
        String why = describe(e);
        return new RecordStoreException(file, "cannot read record file " + file + ": " + why, e);
    }

    // ------------------------------------------------------------------ writing

    /** Sets record {@code name} to {@code value}, on top of the newest generation. */
    public SaveResult put(String name, JsonNode value) throws IOException {
        return update(RecordChange.put(name, value));
    }

    /** Removes record {@code name}; {@link SaveResult#written()} is false when it was absent. */
    public SaveResult delete(String name) throws IOException {
        return update(RecordChange.delete(name));
    }

    /** Applies {@code change} to the newest generation through the save path. */
    public SaveResult update(RecordChange change) throws IOException {
        return save(ANY_GENERATION, change, OnConflict.FAIL);
    }

    /**
     * Saves an editor's records with a per-record three-way merge ({@link RecordMerge}) against the file
     * as it is under the lock: my changes since {@code base} are applied, changes others made since
     * {@code base} are kept, and a record both changed differently (or one deleted while the other changed
     * it) is a conflict: then nothing is written and {@link RecordMergeConflictException} lists each one
     * with its base, mine and theirs values. Fencing and generations are those of {@link #save}.
     *
     * <p>To save after the caller resolved the conflicts: call again with the exception's
     * {@link RecordConflictException#current()} as the new base, and mine built on it.
     *
     * @param base the records as the editor loaded them (the generation its changes were made to)
     * @param mine the editor's records: {@code base} with its changes applied
     * @throws RecordMergeConflictException when a record was changed on both sides differently
     */
    public MergeSaveResult saveMerging(RecordSnapshot base, Map<String, JsonNode> mine) throws IOException {
        Objects.requireNonNull(base, "base");
        TreeMap<String, JsonNode> mineCopy = new TreeMap<>(mine);
        AtomicReference<RecordMerge.Outcome> outcome = new AtomicReference<>();
        RecordChange merging = new RecordChange() {
            @Override
            public void apply(SortedMap<String, JsonNode> records) {
                throw new UnsupportedOperationException("a merge needs the generation it is applied to");
            }

            @Override
            public void apply(RecordSnapshot current, SortedMap<String, JsonNode> records)
                    throws RecordMergeConflictException {
                RecordMerge.Outcome o = RecordMerge.merge(base.records(), mineCopy, current.records());
                outcome.set(o);
                if (o.hasConflicts()) {
                    throw new RecordMergeConflictException(base.generation(), current, o);
                }
                records.clear();
                o.merged().forEach((k, v) -> records.put(k, v.deepCopy()));
            }
        };
        SaveResult r = save(ANY_GENERATION, merging, OnConflict.FAIL);
        boolean moved = r.previousGeneration() != base.generation();
        SaveResult marked = new SaveResult(r.saved(), r.previousGeneration(), r.written(), moved,
                r.directorySynced(), r.warning());
        return new MergeSaveResult(marked, outcome.get());
    }

    /**
     * The save path. {@code expectedGeneration} is the generation the caller's change was made against
     * ({@link #ANY_GENERATION} for none).
     *
     * @throws RecordConflictException   the file is at another generation and {@code onConflict} is FAIL
     * @throws CorruptRecordFileException the file on disk is unusable; it is left as it is
     * @throws RecordFencingException    the lock was lost, or the generation moved, before the rename
     * @throws dev.lockscope.lock.LockTimeoutException the lock could not be had in time
     * @throws RecordStoreException      the new generation could not be written; the old one is intact
     */
    public SaveResult save(long expectedGeneration, RecordChange change, OnConflict onConflict) throws IOException {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(onConflict, "onConflict");
        LockHandle handle = LinkLock.of(lockFile(), options.lockOptions()).acquire(options.lockTimeout());
        SaveResult result;
        try {
            step(SaveStep.LOCKED);
            int phantoms = 0;
            while (true) {
                try {
                    result = saveHeld(handle, expectedGeneration, change, onConflict);
                    break;
                } catch (PhantomMissing e) {
                    // We still hold the lock, so nobody wrote: our read of "missing" was a lie of the
                    // filesystem (sshfs, mid-rename). Nothing was committed; read again and redo.
                    if (++phantoms > 5) {
                        throw new RecordFencingException(file, "not saved: " + file + " kept reading as missing"
                                + " although it exists; the temp file was removed", e);
                    }
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                handle.release();
            } catch (IOException releaseError) {
                if (!(e instanceof RecordFencingException)) {
                    e.addSuppressed(releaseError);
                }
            }
            throw e;
        }
        try {
            handle.release();
        } catch (LockLostException e) {
            // The fencing check passed just before the rename, so the save stands; but say so.
            result = result.withWarning("the lock was lost right after the save: " + e.getMessage());
        } catch (IOException e) {
            result = result.withWarning("could not release " + handle.lockPath() + ": " + describe(e));
        }
        step(SaveStep.RELEASED);
        return result;
    }

    private SaveResult saveHeld(LockHandle handle, long expected, RecordChange change, OnConflict onConflict)
            throws IOException {
        boolean local = onLocalFilesystem();
        if (!local) {
            refreshDirectoryEntries();
        }
        Loaded loaded = load();
        RecordSnapshot current = loaded.snapshot();
        step(SaveStep.READ);
        boolean reapplied = false;
        if (expected != ANY_GENERATION && current.generation() != expected) {
            if (onConflict == OnConflict.FAIL) {
                throw new RecordConflictException(expected, current);
            }
            reapplied = true;
        }
        TreeMap<String, JsonNode> work = current.recordsCopy();
        change.apply(current, work);
        for (var e : work.entrySet()) {
            RecordFormat.validateName(e.getKey());
            RecordFormat.requireValue(e.getKey(), e.getValue());
        }
        step(SaveStep.CHANGED);
        if (RecordFormat.sameRecords(work, current.records())) {
            // Nothing to write; a missing file stays missing until a change gives it content.
            return new SaveResult(current, current.generation(), false, reapplied, true, null);
        }
        long next = current.generation() + 1;
        WriterStamp stamp = WriterStamp.now(options.tool());
        byte[] bytes = RecordFormat.pad(RecordFormat.encode(next, stamp, work), options.maxBytes());
        if (bytes.length > options.maxBytes()) {
            throw new RecordStoreException(file, "cannot save " + file + ": the new generation would be "
                    + bytes.length + " bytes, over the limit of " + options.maxBytes() + " bytes; nothing was written");
        }
        Path temp = RecordTempFile.newPathFor(file);
        boolean committed = false;
        try {
            writeTemp(temp, bytes, current);
            step(SaveStep.TEMP_WRITTEN);
            fence(handle, loaded, local);
            step(SaveStep.FENCED);
            commit(temp, current);
            committed = true;
            step(SaveStep.RENAMED);
        } finally {
            if (!committed) {
                deleteQuietly(temp);
            }
        }
        boolean synced = syncDirectory(file.getParent());
        step(SaveStep.DIRECTORY_SYNCED);
        RecordSnapshot saved = new RecordSnapshot(file, true, next, stamp, work, bytes.length);
        return new SaveResult(saved, current.generation(), true, reapplied, synced, null);
    }

    private void writeTemp(Path temp, byte[] bytes, RecordSnapshot current) throws IOException {
        // O_CREAT|O_EXCL|O_NOFOLLOW: a name someone planted (a symbolic link to another file) fails the save
        // instead of being written through.
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer bb = ByteBuffer.wrap(bytes);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new RecordStoreException(file, "cannot save " + file + ": cannot write temp file " + temp + ": "
                    + describe(e) + "; " + unchanged(current), e);
        }
        if (current.exists()) {
            // The rename gives the record file the temp file's mode; keep the old one.
            try {
                // Without following links (open O_NOFOLLOW + fchmod): the temp name may have been swapped for a
                // link since we wrote it, and a chmod through it would change another file's mode.
                java.nio.file.attribute.PosixFileAttributeView view = Files.getFileAttributeView(temp,
                        java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                if (view != null) {
                    view.setPermissions(Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS).permissions());
                }
            } catch (IOException | UnsupportedOperationException ignored) {
                // best effort: the default mode is a sane fallback
            }
        }
    }

    /**
     * Step 5: the lock is still ours AND the generation on disk is still the one we read.
     *
     * <p>On a network filesystem the file is re-read after a directory refresh (see
     * {@link #refreshDirectoryEntries()}) and its generation compared. On a local filesystem the name
     * lookup is coherent (no client cache can serve an old entry or old content), so the check is the
     * file's bytes, re-read now, against the very bytes the change was made on: equal bytes mean the same
     * generation, the same records and the same writer stamp, whatever happened in between (a rename over
     * the file, a write in place, a restored copy); any difference refuses. That is stricter than comparing
     * generations (a rogue copy with our generation but other records is refused too) and needs neither the
     * directory listing nor a JSON parse while the lock is held.
     */
    private void fence(LockHandle handle, Loaded loaded, boolean local) throws IOException {
        RecordSnapshot current = loaded.snapshot();
        try {
            handle.ensureHeld();
        } catch (LockLostException e) {
            throw new RecordFencingException(file, "not saved: the lock " + handle.lockPath()
                    + " was lost before the commit (" + e.getMessage() + "); the temp file was removed and "
                    + unchanged(current), e);
        } catch (IOException e) {
            // A bare "Bad address" from the check must still say what failed, and where.
            String why = e instanceof LockException ? e.getMessage() : IoErrorText.failed("check the lock", handle.lockPath(), e);
            throw new RecordStoreException(file, "not saved: " + why + "; the temp file was removed and "
                    + unchanged(current), e);
        }
        if (local) {
            fenceByContent(loaded);
            return;
        }
        RecordSnapshot now;
        try {
            refreshDirectoryEntries();
            now = read();
        } catch (IOException e) {
            throw cannotRefence(e);
        }
        if (!current.exists() && now.exists()) {
            throw new PhantomMissing(null);
        }
        if (now.generation() != current.generation() || now.exists() != current.exists()) {
            throw moved(current, now);
        }
    }

    /** The local fencing check: the file's bytes now are exactly the bytes that were read under the lock. */
    private void fenceByContent(Loaded loaded) throws IOException {
        RecordSnapshot current = loaded.snapshot();
        byte[] now;
        try {
            now = readBytes();
        } catch (Vanished e) {
            now = null;
        } catch (IOException e) {
            throw cannotRefence(e);
        }
        if (Arrays.equals(now, loaded.bytes())) {
            return;
        }
        if (now == null) {
            throw new RecordFencingException(file, "not saved: " + file + " was removed while we held the lock"
                    + " (it was at generation " + current.generation() + "): someone wrote without the lock;"
                    + " the temp file was removed", null);
        }
        if (!current.exists()) {
            throw new PhantomMissing(null);
        }
        RecordFormat.Decoded d;
        try {
            d = RecordFormat.decode(file, now);
        } catch (CorruptRecordFileException e) {
            throw new RecordFencingException(file, "not saved: " + file + " changed while we held the lock and"
                    + " is now unreadable (" + e.getMessage() + "): someone wrote without the lock;"
                    + " the temp file was removed", e);
        }
        RecordSnapshot changed = new RecordSnapshot(file, true, d.generation(), d.writer(), d.records(), now.length);
        if (d.generation() != current.generation()) {
            throw moved(current, changed);
        }
        throw new RecordFencingException(file, "not saved: the content of " + file + " changed while we held"
                + " the lock, although its generation is still " + d.generation()
                + (d.writer() != null ? " (now written by " + d.writer().describe() + ")" : "")
                + ": someone wrote without the lock; the temp file was removed", null);
    }

    private RecordStoreException cannotRefence(IOException e) {
        return new RecordStoreException(file, "not saved: cannot re-read " + file + " for the fencing check: "
                + describe(e) + "; the temp file was removed", e);
    }

    private RecordFencingException moved(RecordSnapshot current, RecordSnapshot now) {
        return new RecordFencingException(file, "not saved: the generation of " + file + " moved from "
                + current.generation() + " to " + now.generation() + " while we held the lock"
                + (now.writer() != null ? " (written by " + now.writer().describe() + ")" : "")
                + ": someone wrote without the lock; the temp file was removed", null);
    }

    /**
     * Whether the record file's directory is on a local filesystem, where the kernel's name lookups and
     * page cache are the truth for every process. Asked once per store (it reads the mount table); an
     * unknown filesystem counts as a network one, which takes the slower, always-safe path.
     */
    private boolean onLocalFilesystem() {
        Boolean l = localFilesystem;
        if (l == null) {
            l = LinkLock.isLocalFilesystem(file.getParent());
            localFilesystem = l;
        }
        return l;
    }

    /** Step 6. A file that did not exist is created with link(2), which fails instead of replacing. */
    private void commit(Path temp, RecordSnapshot current) throws IOException {
        if (!current.exists()) {
            try {
                Files.createLink(file, temp);
                deleteQuietly(temp);
                return;
            } catch (FileAlreadyExistsException e) {
                throw appeared(e);
            } catch (IOException | UnsupportedOperationException e) {
                // Some filesystems have no hard links, and sshfs has said EPERM for EEXIST: look again.
                if (FileFacts.lstatOrNull(file) != null) {
                    throw appeared(e);
                }
            }
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new RecordStoreException(file, "cannot save " + file + ": cannot rename " + temp + " over it: "
                    + describe(e) + "; " + unchanged(current), e);
        }
    }

    private PhantomMissing appeared(Exception cause) {
        return new PhantomMissing(cause);
    }

    /** The file read as missing under the lock, but creating it found it there. */
    private static final class PhantomMissing extends IOException {
        PhantomMissing(Throwable cause) {
            super(cause);
        }
    }

    /** Step 7; false when the filesystem refuses to fsync a directory (some FUSE filesystems do). */
    static boolean syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String unchanged(RecordSnapshot current) {
        return current.exists() ? file + " is unchanged at generation " + current.generation()
                : file + " was not created";
    }

    private void step(SaveStep s) {
        if (stepListener != null) {
            stepListener.accept(s);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // The name says whose it was; a scanner reports it.
        }
    }

    static String describe(IOException e) {
        return IoErrorText.reason(e);
    }

    private static void sleep(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading a record file");
        }
    }
}
