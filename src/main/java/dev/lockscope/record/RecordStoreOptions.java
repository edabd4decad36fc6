package dev.lockscope.record;

import dev.lockscope.lock.LockOptions;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RecordStore} reads and saves. Immutable; any thread. Start from {@link #defaults()}.
 *
 * @param maxBytes     largest record file read or written; checked before parsing (default 64 MiB)
 * @param lockTimeout  how long a save waits for the lock (default 60 s)
 * @param lockOptions  lease, back-off and staleness handling of the lock
 * @param tornRetry    how long a reader keeps re-reading a file that looks torn (unparseable, empty,
 *                     bad UTF-8) before it reports the file as corrupt (default 2 s)
 * @param staleSizeRetry how long a reader keeps re-reading a file that looks cut at an earlier size of the
 *                     file, as a client with a stale cached size (sshfs: up to 20 s) reads it (default 30 s)
 * @param staleRetry   how long a reader retries ESTALE or a file that vanished between lookup and open
 *                     (default 10 s)
 * @param tool         written into the writer stamp
 * @param groupCommit  whether a put, delete or increment that finds the lock held is published as an intent
 *                     for the holder to apply with its own (group commit, docs/RECORDS.md; default true);
 *                     false gives one lock hold and one generation per change
 * @param extraRounds  with group commit, how many more rounds a holder may do under one hold while other writers
 *                     keep publishing (docs/RECORDS.md, holder step 6; default 8, within 250 ms of locking);
 *                     0 releases after one round, which keeps a holder's own save short
 */
public record RecordStoreOptions(long maxBytes, Duration lockTimeout, LockOptions lockOptions, Duration tornRetry,
                                 Duration staleSizeRetry, Duration staleRetry, String tool, boolean groupCommit,
                                 int extraRounds) {

    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_EXTRA_ROUNDS = 8;

    public RecordStoreOptions {
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        Objects.requireNonNull(lockOptions, "lockOptions");
        Objects.requireNonNull(tornRetry, "tornRetry");
        Objects.requireNonNull(staleRetry, "staleRetry");
        Objects.requireNonNull(staleSizeRetry, "staleSizeRetry");
        Objects.requireNonNull(tool, "tool");
        if (extraRounds < 0 || extraRounds > 64) {
            throw new IllegalArgumentException("extraRounds must be from 0 to 64, got " + extraRounds);
        }
        if (maxBytes < 64) {
            throw new IllegalArgumentException("maxBytes must be at least 64, got " + maxBytes);
        }
        if (maxBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxBytes must be below 2 GiB, got " + maxBytes);
        }
    }

    public RecordStoreOptions(long maxBytes, Duration lockTimeout, LockOptions lockOptions, Duration tornRetry,
                              Duration staleSizeRetry, Duration staleRetry, String tool) {
        this(maxBytes, lockTimeout, lockOptions, tornRetry, staleSizeRetry, staleRetry, tool, true, DEFAULT_EXTRA_ROUNDS);
    }

    public static RecordStoreOptions defaults() {
        return new RecordStoreOptions(DEFAULT_MAX_BYTES, Duration.ofSeconds(60),
                LockOptions.defaults().withPurpose("record store save"), Duration.ofSeconds(2),
                Duration.ofSeconds(30), Duration.ofSeconds(10), "lockscope 0.1.0");
    }

    public RecordStoreOptions withMaxBytes(long n) {
        return new RecordStoreOptions(n, lockTimeout, lockOptions, tornRetry, staleSizeRetry, staleRetry, tool, groupCommit, extraRounds);
    }

    public RecordStoreOptions withLockTimeout(Duration d) {
        return new RecordStoreOptions(maxBytes, d, lockOptions, tornRetry, staleSizeRetry, staleRetry, tool, groupCommit, extraRounds);
    }

    public RecordStoreOptions withLockOptions(LockOptions o) {
        return new RecordStoreOptions(maxBytes, lockTimeout, o, tornRetry, staleSizeRetry, staleRetry, tool, groupCommit, extraRounds);
    }

    public RecordStoreOptions withTornRetry(Duration d) {
        return new RecordStoreOptions(maxBytes, lockTimeout, lockOptions, d, staleSizeRetry, staleRetry, tool, groupCommit, extraRounds);
    }

    public RecordStoreOptions withStaleSizeRetry(Duration d) {
        return new RecordStoreOptions(maxBytes, lockTimeout, lockOptions, tornRetry, d, staleRetry, tool, groupCommit, extraRounds);
    }

    public RecordStoreOptions withStaleRetry(Duration d) {
        return new RecordStoreOptions(maxBytes, lockTimeout, lockOptions, tornRetry, staleSizeRetry, d, tool, groupCommit, extraRounds);
    }

    public RecordStoreOptions withTool(String t) {
        return new RecordStoreOptions(maxBytes, lockTimeout, lockOptions, tornRetry, staleSizeRetry, staleRetry, t, groupCommit, extraRounds);
    }

    /** With group commit on (the default) or off: see {@link #groupCommit()}. */
    public RecordStoreOptions withGroupCommit(boolean on) {
        return new RecordStoreOptions(maxBytes, lockTimeout, lockOptions, tornRetry, staleSizeRetry, staleRetry, tool, on, extraRounds);
    }

    public RecordStoreOptions withExtraRounds(int n) {
        return new RecordStoreOptions(maxBytes, lockTimeout, lockOptions, tornRetry, staleSizeRetry, staleRetry, tool,
                groupCommit, n);
    }
}
