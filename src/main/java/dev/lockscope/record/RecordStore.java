package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lockscope.lock.Backoff;
import dev.lockscope.lock.Deadline;
import dev.lockscope.lock.DurationText;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.FilesystemType;
import dev.lockscope.lock.IoErrorText;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockException;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.NameCache;
import dev.lockscope.lock.LockClock;
import dev.lockscope.lock.LockLostException;
import dev.lockscope.lock.LockTimeoutException;
import dev.lockscope.lock.Pause;
import dev.lockscope.lock.WholeFileRead;
import dev.lockscope.text.Printable;

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
import java.time.Duration;
import java.util.Locale;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.security.SecureRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A shared JSON record file (docs/PROTOCOL.md, "The record store"): lockless reads that always see a whole generation,
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

    /**
     * The points of the save path, in order; a step listener hears each one as it is passed. With group
     * commit: a writer that found the lock held passes PUBLISHED (its intent is visible), then WITHDRAWN if it
     * took it back at its timeout; a holder passes TAKEN after it took the published intents (between READ
     * and CHANGED) and MARKED after it removed the taken intents it committed (after DIRECTORY_SYNCED).
     */
    public enum SaveStep { LOCKED, READ, CHANGED, TEMP_WRITTEN, FENCED, RENAMED, DIRECTORY_SYNCED, RELEASED,
        PUBLISHED, TAKEN, MARKED, WITHDRAWN }

    private final Path file;
    private final RecordStoreOptions options;
    private final Consumer<SaveStep> stepListener;
    /** Set once a read found the file; "missing" must then persist longer before it is believed. */
    private volatile boolean seenExisting;
    /** Null until the first save asks; then whether the directory is on a local filesystem. */
    private volatile Boolean localFilesystem;
    /** The newest generation this store has read: an intent published now cannot be committed in it. */
    private volatile long seenGeneration = -1;

    private final IntentFiles intents;

    private RecordStore(Path file, RecordStoreOptions options, Consumer<SaveStep> stepListener) {
        this.file = file;
        this.options = options;
        this.stepListener = stepListener;
        this.intents = new IntentFiles(file);
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
    private record Loaded(RecordSnapshot snapshot, byte[] bytes, CommitLog commits) {
    }

    /** {@link #read()}, keeping the bytes: the save path's fencing check on a local filesystem compares them. */
    private Loaded load() throws IOException {
        // The retry budgets run from the first failed read, not from the call: on a loaded machine the first read
        // alone (class loading in a JVM that just started, among a hundred) took longer than the 2 s torn-read
        // budget, and a torn first read was then reported at once, never read again.
        long firstFailure = 0;
        int failures = 0;
        // Uniform between 1 and 2 ms at first, doubling to between 100 and 200 ms.
        Backoff backoff = Backoff.between(Duration.ofMillis(2), Duration.ofMillis(200));
        while (true) {
            try {
                return readOnce();
            } catch (CorruptRecordFileException e) {
                if (failures++ == 0) {
                    firstFailure = LockClock.SYSTEM.nanoTime();
                }
                // A cut at a size class is what a stale cached size produces: wait that out longest.
                Duration budget = e.problem() == CorruptRecordFileException.Problem.TRUNCATED
                        && RecordFormat.isSizeClass(e.sizeRead()) ? options.staleSizeRetry() : options.tornRetry();
                if (!e.problem().possiblyTorn()) {
                    throw e;
                }
                if (spent(budget, firstFailure, failures)) {
                    throw failures == 1 ? e : e.afterRereads(failures,
                            (LockClock.SYSTEM.nanoTime() - firstFailure) / 1_000_000);
                }
            } catch (Vanished e) {
                if (failures++ == 0) {
                    firstFailure = LockClock.SYSTEM.nanoTime();
                }
                if (spent(options.staleRetry(), firstFailure, failures)) {
                    throw new RecordStoreException(file, "cannot read record file " + file
                            + ": it kept being replaced or vanishing for " + options.staleRetry().toMillis() + " ms", e);
                }
            } catch (IOException e) {
                if (failures++ == 0) {
                    firstFailure = LockClock.SYSTEM.nanoTime();
                }
                if (!FileFacts.isStale(e) || spent(options.staleRetry(), firstFailure, failures)) {
                    throw readError(e);
                }
            }
            Pause.nanos(backoff.jitteredNanos(), "reading a record file");
            backoff.grow();
        }
    }

    /** Reads made, at the least, before a retry budget that is not zero counts as spent. */
    static final int MIN_READ_ATTEMPTS = 4;

    /**
     * Whether a retry budget that began at {@code firstFailure} is spent after {@code failures} failed reads.
     * Zero means no retry at all (tests that must see every torn read use it).
     */
    private static boolean spent(Duration budget, long firstFailure, int failures) {
        return budget.isZero() || failures >= MIN_READ_ATTEMPTS
                && LockClock.SYSTEM.nanoTime() - firstFailure > budget.toNanos();
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
        // Best effort: a directory we cannot list still reads; the fencing check reads again.
        NameCache.refreshAlways(file.getParent());
    }

    private Loaded readOnce() throws IOException {
        FileFacts f = FileFacts.lstatOrNull(file);
        if (f == null) {
            f = confirmMissing();
            if (f == null) {
                seenGeneration = Math.max(seenGeneration, 0);
                return new Loaded(RecordSnapshot.missing(file), null, CommitLog.EMPTY);
            }
        }
        if (f.type() != FileFacts.Type.REGULAR) {
            String what = f.type() == FileFacts.Type.SYMLINK
                    ? "a symbolic link (saves replace the file by rename, which would replace the link)"
                    : f.type().name().toLowerCase(Locale.ROOT);
            throw new CorruptRecordFileException(file, CorruptRecordFileException.Problem.NOT_REGULAR_FILE, what);
        }
        byte[] bytes = readBytes();
        RecordFormat.Decoded d = RecordFormat.decode(file, bytes);
        seenExisting = true;
        seenGeneration = Math.max(seenGeneration, d.generation());
        return new Loaded(new RecordSnapshot(file, true, d.generation(), d.writer(), d.records(), bytes.length), bytes,
                d.commits());
    }

    /**
     * The whole content of the file as it is now, bounded by the size limit, never following a symbolic
     * link. {@link Vanished} when the name is gone between lookup and read.
     */
    private byte[] readBytes() throws IOException {
        long max = options.maxBytes();
        // Around the page cache on a network filesystem: see WholeFileRead (sshfs served torn and old versions).
        try (WholeFileRead.Opened in = WholeFileRead.open(file)) {
            // After the open (which revalidates on NFS), the size is fresh; check it before reading.
            long size = in.channel().size();
            if (size > max) {
                throw tooLarge(size);
            }
            return WholeFileRead.readToEnd(in, size, max, this::tooLarge);
        } catch (NoSuchFileException e) {
            throw new Vanished(e);
        } catch (RecordStoreException e) {
            throw e;
        } catch (IOException e) {
            // sshfs reports ENOENT from a read on a handle whose file was just renamed over.
            if (e.getMessage() != null && e.getMessage().contains("No such file")) {
                throw new Vanished(e);
            }
            throw e;
        }
    }

    /**
     * A lookup said "no such file". On sshfs that is also what a reader sees for a moment while its own
     * mount renames a new generation over the file, so "missing" is believed only when it persists:
     * over about 70 ms, or about a second once this store has seen the file exist.
     *
     * @return the file's facts if it turned out to be there, or null when it is missing
     */
    private FileFacts confirmMissing() throws IOException {
        Deadline until = Deadline.after(Duration.ofMillis(seenExisting ? 1000 : 70), LockClock.SYSTEM);
        Backoff backoff = Backoff.between(Duration.ofMillis(5), Duration.ofMillis(100));
        while (!until.expired()) {
            Pause.nanos(backoff.currentNanos(), "reading a record file");
            backoff.grow();
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
        String why = IoErrorText.reason(e);
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
        LinkLock lock = LinkLock.of(lockFile(), options.lockOptions());
        // Only a change made of intent operations can be applied by another process; a lambda, a conditional
        // put (expected generation) and a merge take the lock themselves, one generation each.
        boolean combining = options.groupCommit() && expectedGeneration == ANY_GENERATION
                && change instanceof IntentChange;
        if (combining) {
            // A held lock: publish at once. A lock attempt here would cost a claim file, a link and a staleness
            // judgement of the holder per update, all of it wasted while holders come and go every few ms; the
            // wait below judges the holder now and then, and takes the lock whenever it is free.
            Writer w = WRITER.get();
            boolean yielding = w.yieldNext;
            w.yieldNext = false;
            Optional<LockHandle> h = yielding || FileFacts.exists(lockFile().path()) ? Optional.empty()
                    : lock.tryAcquire();
            if (h.isPresent()) {
                return holdAndSave(h.get(), expectedGeneration, change, onConflict, true).result();
            }
            return publishAndWait(lock, (IntentChange) change);
        }
        return holdAndSave(lock.acquire(options.lockTimeout()), expectedGeneration, change, onConflict, false).result();
    }

    /**
     * A group-commit writer: one thread of this process. It has at most one intent outstanding (a save is a
     * synchronous call) and numbers its intents upwards, which is what makes the commit log's "last applied
     * number per writer" a proof (see {@link CommitLog}).
     */
    private static final class Writer {
        private static final SecureRandom RANDOM = new SecureRandom();
        final String id;
        long seq;
        /**
         * Set when this writer's last hold ended with other writers still publishing (at the bound of
         * {@link #combineMore}): its next save publishes instead of taking the free lock at once, so that one of
         * the waiters, whose jittered attempts would otherwise always lose to it, becomes the next holder.
         */
        boolean yieldNext;

        Writer() {
            byte[] b = new byte[8];
            RANDOM.nextBytes(b);
            id = HexFormat.of().formatHex(b);
        }
    }

    private static final ThreadLocal<Writer> WRITER = ThreadLocal.withInitial(Writer::new);

    /** How long a waiting writer sleeps between looks at its intent: short, a holder's round is about 1 ms. */
    private static final long POLL_MIN_NANOS = 1_000_000;
    private static final long POLL_MAX_NANOS = 8_000_000;
    /**
     * On a network filesystem a look lists the directory at most this often and asks by lstat in between (see
     * {@link Look}): with 16 waiters listing every 1-8 ms, the server's and the client's daemons (on the
     * testbed, the same two CPUs) were starved and every round trip of the holder took 20-90 ms.
     */
    private static final long NETWORK_LIST_EVERY_NANOS = 100_000_000;
    private static final long NETWORK_POLL_MIN_NANOS = 2_000_000;
    private static final long NETWORK_POLL_MAX_NANOS = 20_000_000;
    /** How often a waiter asks whether the holder is stale (a full lock attempt, with its staleness check). */
    private static final long TRY_LOCK_EVERY_NANOS = 500_000_000;

    /**
     * Whether the lock is free and still free after a random pause of up to a millisecond: when a holder
     * releases, every waiter whose intent is still untaken sees it at once, and a failed attempt costs a
     * claim file, a link and a staleness judgement each. With 16 writers on 2 cores that herd held the next
     * holder's CPU hostage (its hold took 4-8 times as long); after the pause, the first one has it and the
     * others see it taken. Waiters whose intent was taken do not try at all: their outcome is being written.
     */
    private boolean freeAfterJitter(Look look, Path lockPath) throws IOException {
        if (look.exists(lockPath)) {
            return false;
        }
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1_000_000));
        return !new Look(look.listing, look.watched).exists(lockPath);
    }

    /**
     * One look at the names a waiting writer watches (its intent's names and the lock's, all in the record file's
     * directory). Each answer is an lstat, or, in a listing look, one directory listing answers them all: a FUSE
     * client (GlusterFS) answers lstat from its entry and attribute caches for up to a second after another
     * client removed the name, which kept a waiter on the other mount from seeing its commit for that long; a
     * listing asks the server. On a network filesystem every {@link #NETWORK_LIST_EVERY_NANOS} a look lists;
     * a name removed through this writer's own mount is seen at once by lstat. A directory that cannot be listed
     * is asked by lstat.
     */
    private final class Look {
        final boolean listing;
        final java.util.Set<String> watched;
        private java.util.Set<String> present;

        Look(boolean listing, java.util.Set<String> watched) {
            this.listing = listing;
            this.watched = watched;
        }

        /** Whether this look listed the directory (and so refreshed a FUSE client's entries). */
        boolean listed() {
            return present != null;
        }

        boolean exists(Path p) throws IOException {
            String name = p.getFileName().toString();
            if (listing && watched.contains(name)) {
                if (present == null) {
                    present = intents.presentByListing(watched);
                }
                if (present != null) {
                    return present.contains(name);
                }
            }
            return FileFacts.exists(p);
        }
    }

    /**
     * Group commit, the writer's side: the lock is held, so publish the change as an intent and wait until a
     * generation provably holds it ({@link CommitLog}), trying the lock whenever it is free (and now and then,
     * to break a dead holder's) to commit the waiting intents itself. At the timeout, withdraw the intent; if
     * a holder took it first, wait for the outcome as long again.
     */
    private SaveResult publishAndWait(LinkLock lock, IntentChange change) throws IOException {
        Writer w = WRITER.get();
        long notBefore = seenGeneration;
        if (notBefore < 0) {
            notBefore = read().generation();
        }
        RecordIntent intent = new RecordIntent(w.id, ++w.seq, notBefore, hostForIntents(),
                ProcessHandle.current().pid(), change.ops());
        byte[] content = intent.encode();
        if (content.length > IntentFiles.MAX_INTENT_BYTES) {
            return holdAndSave(lock.acquire(options.lockTimeout()), ANY_GENERATION, change, OnConflict.FAIL, false)
                    .result();
        }
        long start = System.nanoTime();
        long deadline = start + options.lockTimeout().toNanos();
        Path published = intents.publish(intent, content);
        step(SaveStep.PUBLISHED);
        Path takenPath = intents.taken(intent.writerId(), intent.seq());
        boolean taken = false;
        boolean extended = false;
        Exception holdFailure = null;
        long lastTry = start;
        Path lockPath = lockFile().path();
        Path quarantined = intents.quarantined(intent.writerId(), intent.seq());
        boolean listing = !onLocalFilesystem();
        long pollMin = listing ? NETWORK_POLL_MIN_NANOS : POLL_MIN_NANOS;
        long pollMax = listing ? NETWORK_POLL_MAX_NANOS : POLL_MAX_NANOS;
        long poll = pollMin;
        java.util.Set<String> watched = java.util.Set.of(published.getFileName().toString(),
                takenPath.getFileName().toString(), quarantined.getFileName().toString(),
                lockPath.getFileName().toString());
        long lastListing = System.nanoTime();
        while (true) {
            boolean listNow = listing && System.nanoTime() - lastListing > NETWORK_LIST_EVERY_NANOS;
            Look look = new Look(listNow, watched);
            if (listNow) {
                lastListing = System.nanoTime();
            }
            if (!taken && !look.exists(published)) {
                taken = true;
                poll = pollMin;
            }
            // Only lstat while the intent waits or its holder works: the record file is read (and parsed) once the
            // holder has removed the taken name, which it does after the commit is on disk. A holder that died
            // leaves the name; then the proof comes from the next holder, or this writer becomes it.
            if (taken && !look.exists(takenPath)) {
                // The look's listing (network) came after the holder's rename and refreshed every entry.
                SaveResult r = proved(intent, false, look.listed());
                if (r != null) {
                    return r;
                }
                if (look.exists(quarantined)) {
                    throw new RecordStoreException(file, "not saved: a holder quarantined the change (intent "
                            + intent.writerId() + "." + intent.seq() + "), because it could not read it or could"
                            + " not prove whether it was applied; see its warning");
                }
            }
            long now = System.nanoTime();
            // A taken intent whose taken file outlives the lock was left by a holder that died (a live holder
            // removes it before it releases): then this writer may be the next holder too.
            if (now - lastTry > TRY_LOCK_EVERY_NANOS
                    || (!taken || look.exists(takenPath)) && freeAfterJitter(look, lockPath)) {
                lastTry = now;
                Optional<LockHandle> h = lock.tryAcquire();
                if (h.isPresent()) {
                    Held held;
                    try {
                        held = holdAndSave(h.get(), ANY_GENERATION, null, OnConflict.FAIL, true);
                    } catch (IOException | RuntimeException e) {
                        // This hold failed (fenced, say), but it may have taken our intent first, and a taken
                        // intent is applied by the next holder: "not saved" is true only once we withdraw it.
                        // Otherwise its outcome is in the commit log, and a caller who retried on "not saved"
                        // would apply the change twice.
                        if (!taken && intents.withdraw(published)) {
                            step(SaveStep.WITHDRAWN);
                            throw e;
                        }
                        taken = true;
                        holdFailure = e;
                        poll = pollMin;
                        continue;
                    }
                    CommitLog.Outcome o = held.commits().outcome(intent.writerId(), intent.seq(), intent.notBefore());
                    if (o == CommitLog.Outcome.APPLIED) {
                        return result(held.result().saved(), held.commits(), intent, held.result().warning());
                    }
                    poll = pollMin;
                    continue;
                }
            }
            if (now - deadline > 0) {
                if (!taken) {
                    if (intents.withdraw(published)) {
                        step(SaveStep.WITHDRAWN);
                        throw withdrawn(lock);
                    }
                    taken = true;
                }
                if (!extended) {
                    extended = true;
                    deadline = now + options.lockTimeout().toNanos();
                } else {
                    SaveResult r = proved(intent, true, false);
                    if (r != null) {
                        return r;
                    }
                    RecordStoreException unknown = new RecordStoreException(file, "outcome unknown: a holder took"
                            + " the change (intent " + intent.writerId() + "." + intent.seq() + ") but no generation of "
                            + file + " showed it committed within " + 2 * options.lockTimeout().toMillis() + " ms"
                            + (holdFailure == null ? "" : "; this writer's own hold failed: " + holdFailure.getMessage()));
                    if (holdFailure != null) {
                        unknown.addSuppressed(holdFailure);
                    }
                    throw unknown;
                }
            }
            LockSupport.parkNanos(poll);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a group commit of " + file);
            }
            poll = Math.min(poll * 3 / 2, pollMax);
        }
    }

    /** The timeout of a writer that withdrew its intent, naming the holder as a lock timeout does. */
    private LockTimeoutException withdrawn(LinkLock lock) {
        StringBuilder m = new StringBuilder("timed out after ")
                .append(DurationText.ofMillis(options.lockTimeout().toMillis())).append(" waiting for lock ")
                .append(lockFile().path());
        dev.lockscope.lock.Verdict v = null;
        try {
            v = lock.inspect();
            if (v.state() != dev.lockscope.lock.LockState.FREE) {
                m.append(": held by ").append(v.holderDescription()).append(" [").append(v.state()).append(": ")
                        .append(v.reason()).append(']');
            }
        } catch (IOException e) {
            // The timeout is the news; who held the lock is a detail we could not read.
        }
        m.append("; no holder took the change published for it, so it was withdrawn and ").append(file)
                .append(" does not hold it");
        return new LockTimeoutException(m.toString(), v);
    }

    /**
     * The result for a taken intent when the record file proves it committed; null when not yet.
     *
     * @throws RecordStoreException when the holder refused it, or when its outcome cannot be proved
     */
    private SaveResult proved(RecordIntent intent, boolean last, boolean justListed) throws IOException {
        Loaded l = onLocalFilesystem() || justListed ? load() : loadFresh();
        CommitLog.Outcome o = l.commits().outcome(intent.writerId(), intent.seq(), intent.notBefore());
        if (o == CommitLog.Outcome.APPLIED) {
            return result(l.snapshot(), l.commits(), intent, null);
        }
        if (o == CommitLog.Outcome.UNKNOWN && last) {
            throw new RecordStoreException(file, "outcome unknown: the commit log of " + file + " dropped entries"
                    + " up to generation " + l.commits().evictedThrough() + " (more than " + CommitLog.MAX_WRITERS
                    + " writers committed meanwhile), so whether intent " + intent.writerId() + "." + intent.seq()
                    + " was applied cannot be proved");
        }
        return null;
    }

    private SaveResult result(RecordSnapshot saved, CommitLog commits, RecordIntent intent, String warning)
            throws RecordStoreException {
        CommitLog.Entry e = commits.writers().get(intent.writerId());
        if (e.seq() == intent.seq() && e.refused() != null) {
            throw new RecordStoreException(file, "not saved: " + Printable.escape(e.refused()) + "; the holder"
                    + " that took the change left the records as they were");
        }
        JsonNode value = e.seq() == intent.seq() ? e.value() : null;
        return new SaveResult(saved, e.generation() - 1, true, false, true, warning, true, value);
    }

    private static String hostForIntents() {
        String h = dev.lockscope.lock.HostIdentity.current().hostName();
        return h.length() > RecordIntent.MAX_HOST ? h.substring(0, RecordIntent.MAX_HOST) : h;
    }

    private Loaded loadFresh() throws IOException {
        refreshDirectoryEntries();
        return load();
    }

    /** What a holder committed: the caller's result and the commit log of the generation now on disk. */
    private record Held(SaveResult result, CommitLog commits, int intentsCommitted) {
        Held withWarning(String more) {
            return more == null ? this
                    : new Held(result.withWarning(join(result.warning(), more)), commits, intentsCommitted);
        }
    }

    /**
     * The time a holder's further rounds ({@link #combineMore}) may take, from the moment the lock was had: the
     * holder's caller waits for them.
     */
    private static final long EXTRA_ROUNDS_BUDGET_NANOS = 250_000_000;

    /**
     * The save path under the lock; with {@code combining}, the published and orphaned intents are taken
     * and applied after {@code change} (which may be null: a waiter that got the lock commits the others).
     */
    private Held holdAndSave(LockHandle handle, long expectedGeneration, RecordChange change, OnConflict onConflict,
                             boolean combining) throws IOException {
        Held result;
        long lockedAt = System.nanoTime();
        try {
            step(SaveStep.LOCKED);
            result = saveRetryingPhantoms(handle, expectedGeneration, change, onConflict, combining, false);
            if (combining) {
                result = combineMore(handle, result, lockedAt);
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
            result = result.withWarning("could not release " + handle.lockPath() + ": " + IoErrorText.reason(e));
        }
        step(SaveStep.RELEASED);
        return result;
    }

    /**
     * One round of the save path; null when {@code onlyIfIntents} and no intent waits. A file that reads as
     * missing although this holder's create then finds it is retried.
     */
    private Held saveRetryingPhantoms(LockHandle handle, long expectedGeneration, RecordChange change,
                                      OnConflict onConflict, boolean combining, boolean onlyIfIntents)
            throws IOException {
        int phantoms = 0;
        while (true) {
            try {
                return saveHeld(handle, expectedGeneration, change, onConflict, combining, onlyIfIntents);
            } catch (PhantomMissing e) {
                // We still hold the lock, so nobody wrote: our read of "missing" was a lie of the
                // filesystem (sshfs, mid-rename). Nothing was committed; read again and redo.
                if (++phantoms > 5) {
                    throw new RecordFencingException(file, "not saved: " + file + " kept reading as missing"
                            + " although it exists; the temp file was removed", e);
                }
            }
        }
    }

    /**
     * Flat combining's "keep combining": a round that committed intents of other writers means they are waiting,
     * and each of them publishes its next change as soon as it sees the last one committed. Serving those under
     * this hold saves, per round, a release, a waiter's lock attempt and the hand-off gap, which on a network
     * filesystem is several round trips and locally is most of what a round costs besides its fsyncs. The
     * caller's own change was committed by the first round, whose result it gets; a later round that fails
     * changes nothing of that (what it took and did not commit stays taken, and the next holder applies it),
     * so its failure is a warning. Bounded by {@link RecordStoreOptions#extraRounds()} and {@link #EXTRA_ROUNDS_BUDGET_NANOS};
     * a round that finds no intent ends it, after one directory listing.
     */
    private Held combineMore(LockHandle handle, Held first, long lockedAt) {
        Held result = first;
        int committed = first.intentsCommitted();
        for (int round = 0; committed > 0 && round < options.extraRounds()
                && System.nanoTime() - lockedAt < EXTRA_ROUNDS_BUDGET_NANOS; round++) {
            Held next;
            try {
                next = saveRetryingPhantoms(handle, ANY_GENERATION, null, OnConflict.FAIL, true, true);
            } catch (IOException | RuntimeException e) {
                String why = e instanceof IOException io ? IoErrorText.reason(io) : String.valueOf(e.getMessage());
                return result.withWarning("a further group-commit round for other writers failed (" + why
                        + "); what it took stays for the next holder");
            }
            if (next == null) {
                return result;
            }
            result = result.withWarning(next.result().warning());
            committed = next.intentsCommitted();
        }
        WRITER.get().yieldNext = committed > 0 && options.extraRounds() > 0;
        return result;
    }

    private static String join(String a, String b) {
        return a == null ? b : a + "; " + b;
    }

    private Held saveHeld(LockHandle handle, long expected, RecordChange change, OnConflict onConflict,
                          boolean combining, boolean onlyIfIntents) throws IOException {
        boolean local = onLocalFilesystem();
        IntentFiles.Listing listing = IntentFiles.Listing.EMPTY;
        if (combining) {
            // The listing also refreshes a FUSE client's cached entries, as refreshDirectoryEntries does.
            listing = intents.list();
            if (onlyIfIntents && listing.intents().isEmpty()) {
                return null;
            }
        } else if (!local) {
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
        JsonNode incremented = null;
        if (change instanceof IntentChange ic) {
            try {
                incremented = ic.applyOps(work);
            } catch (RecordIntent.RefusedException e) {
                throw new RecordStoreException(file, "not saved: " + e.getMessage() + "; " + unchanged(current));
            }
        } else if (change != null) {
            change.apply(current, work);
        }
        for (var e : work.entrySet()) {
            RecordFormat.validateName(e.getKey());
            RecordFormat.requireValue(e.getKey(), e.getValue());
        }
        long next = current.generation() + 1;
        boolean ownChanged = !RecordFormat.sameRecords(work, current.records());
        Batch batch = combining ? takeAndApply(listing.intents(), current.generation(), next, loaded.commits(), work)
                : new Batch(List.of(), loaded.commits(), null);
        step(SaveStep.CHANGED);
        if (!ownChanged && batch.committed().isEmpty()) {
            // Nothing to write; a missing file stays missing until a change gives it content.
            return new Held(new SaveResult(current, current.generation(), false, reapplied, true, batch.warning(),
                    false, incremented), loaded.commits(), 0);
        }
        WriterStamp stamp = WriterStamp.now(options.tool());
        byte[] bytes = RecordFormat.pad(RecordFormat.encode(next, stamp, work, batch.commits()), options.maxBytes());
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
        if (!batch.committed().isEmpty()) {
            IntentIo.each(!local, batch.committed(), t -> {
                intents.mark(t);
                return null;
            });
            step(SaveStep.MARKED);
        }
        if (!listing.unpublished().isEmpty()) {
            // The record file was just written: its mtime is the server's clock now.
            FileFacts written = FileFacts.lstatOrNull(file);
            if (written != null) {
                intents.removeAbandoned(listing.unpublished(), written.mtimeMillis());
            }
        }
        seenGeneration = Math.max(seenGeneration, next);
        RecordSnapshot saved = new RecordSnapshot(file, true, next, stamp, work, bytes.length);
        return new Held(new SaveResult(saved, current.generation(), true, reapplied, synced, batch.warning(), false,
                incremented), batch.commits(), batch.committed().size());
    }

    /**
     * What a holder took: the intent files whose outcome the new generation records (applied now, or found
     * applied before), the commit log to write, and what it quarantined (for people), or null.
     */
    private record Batch(List<IntentFiles.Listed> committed, CommitLog commits, String warning) {
    }

    /**
     * Takes the published intents (rename, atomic against a withdrawal), reads them and the orphans a dead
     * holder left taken, and applies to {@code work}, in order, each one the commit log does not already
     * hold. An intent that cannot be read or parsed, or whose outcome cannot be proved (see {@link CommitLog}),
     * is quarantined and named in the warning; it never stops the save.
     */
    private Batch takeAndApply(List<IntentFiles.Listed> listed, long generation, long next, CommitLog commits,
                               TreeMap<String, JsonNode> work) throws IOException {
        boolean overlap = !onLocalFilesystem();
        List<IntentFiles.Listed> taken = new ArrayList<>();
        for (IntentFiles.Listed t : IntentIo.each(overlap, listed, l -> l.name().taken() ? l : intents.take(l))) {
            if (t != null) {
                taken.add(t);
            }
        }
        if (!taken.isEmpty()) {
            step(SaveStep.TAKEN);
        }
        List<IntentRead> reads = IntentIo.each(overlap, taken, t -> {
            try {
                return new IntentRead(intents.read(t), null);
            } catch (IOException | RecordIntent.MalformedIntentException e) {
                return new IntentRead(null, e);
            }
        });
        List<IntentFiles.Listed> committed = new ArrayList<>();
        StringBuilder warning = new StringBuilder();
        for (int i = 0; i < taken.size(); i++) {
            IntentFiles.Listed t = taken.get(i);
            Exception failure = reads.get(i).failure();
            if (failure instanceof NoSuchFileException) {
                continue; // another holder (one that lost the lock) marked it
            }
            if (failure != null) {
                quarantine(t, "unreadable (" + (failure instanceof IOException io ? IoErrorText.reason(io)
                        : failure.getMessage()) + ")", warning);
                continue;
            }
            RecordIntent intent = reads.get(i).intent();
            // notBefore comes from the file: a value beyond what this holder read is not the writer's.
            CommitLog.Outcome o = commits.outcome(intent.writerId(), intent.seq(), Math.min(intent.notBefore(), generation));
            if (o == CommitLog.Outcome.APPLIED) {
                committed.add(t); // a holder died between its rename and its mark
                continue;
            }
            if (o == CommitLog.Outcome.UNKNOWN) {
                quarantine(t, "whether it was applied cannot be proved: the commit log dropped entries up to"
                        + " generation " + commits.evictedThrough(), warning);
                continue;
            }
            TreeMap<String, JsonNode> undo = new TreeMap<>();
            for (RecordIntent.Op op : intent.ops()) {
                undo.putIfAbsent(op.name(), work.get(op.name()));
            }
            JsonNode value = null;
            String refused = null;
            try {
                value = intent.applyTo(work);
            } catch (RecordIntent.RefusedException e) {
                refused = e.getMessage().length() > 300 ? e.getMessage().substring(0, 300) : e.getMessage();
                undo.forEach((k, v) -> {
                    if (v == null) {
                        work.remove(k);
                    } else {
                        work.put(k, v);
                    }
                });
            }
            commits = commits.with(intent.writerId(), new CommitLog.Entry(intent.seq(), next, value, refused),
                    CommitLog.MAX_WRITERS);
            committed.add(t);
        }
        return new Batch(committed, commits, warning.length() == 0 ? null : warning.toString());
    }

    /** A taken intent as read: the intent, or why it could not be read or parsed. */
    private record IntentRead(RecordIntent intent, Exception failure) {
    }

    private void quarantine(IntentFiles.Listed t, String why, StringBuilder warning) {
        Path bad = intents.quarantine(t);
        if (warning.length() > 0) {
            warning.append("; ");
        }
        warning.append("intent ").append(t.name().writerId()).append('.').append(t.name().seq()).append(" quarantined: ")
                .append(Printable.escape(why))
                .append(bad != null ? ": moved to " + Printable.escape(bad.getFileName().toString()) : ": removed");
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
                    + IoErrorText.reason(e) + "; " + unchanged(current), e);
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
     * <p>On a network filesystem the file is re-read after the directory listing that the lock check makes
     * ({@link LockHandle#ensureHeld()}; why a listing is needed: {@link #refreshDirectoryEntries()}) and its
     * generation compared. On a local filesystem the name
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
            // No listing of our own: ensureHeld() has just listed this directory (NameCache.refresh, the same
            // directory and the same network test), so the name read next is the server's. A second listing
            // here cost a round trip per save on a network filesystem and refreshed nothing new: while we hold
            // the lock, no rename by a writer that keeps to the protocol can come between the two.
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
                + IoErrorText.reason(e) + "; the temp file was removed", e);
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
            l = FilesystemType.isLocal(file.getParent());
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
                    + IoErrorText.reason(e) + "; " + unchanged(current), e);
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
}
