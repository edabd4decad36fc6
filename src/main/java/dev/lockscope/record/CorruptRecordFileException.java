package dev.lockscope.record;

import java.nio.file.Path;

/**
 * The record file cannot be used as it is: it is never overwritten, and the message says which file
 * and what is wrong. Any thread.
 */
public class CorruptRecordFileException extends RecordStoreException {

    /** What is wrong with the file. */
    public enum Problem {
        /** Not valid JSON: garbage. Readers retry it briefly before believing it. */
        NOT_JSON(true),
        /**
         * Valid JSON text that ends too soon. This is also what a reader sees when its client holds a stale
         * file size (sshfs caches attributes for up to 20 s), so readers retry it longest.
         */
        TRUNCATED(true),
        /** Bytes that are not UTF-8 (a truncated multi-byte character looks like this, so it is retried first). */
        NOT_UTF8(true),
        /** Zero bytes (a reader racing a non-atomic writer could see this, so it is retried first). */
        EMPTY(true),
        /** Valid JSON, but not a record file of a format this version knows. */
        UNKNOWN_FORMAT(false),
        /** Larger than the configured limit; it is not parsed at all. */
        TOO_LARGE(false),
        /** A directory, a symbolic link, a FIFO: not a regular file. */
        NOT_REGULAR_FILE(false);

        private final boolean possiblyTorn;

        Problem(boolean possiblyTorn) {
            this.possiblyTorn = possiblyTorn;
        }

        /** True when a partial read could produce this, so a reader retries before believing it. */
        public boolean possiblyTorn() {
            return possiblyTorn;
        }
    }

    private final Problem problem;
    private final String detail;
    private final long sizeRead;

    public CorruptRecordFileException(Path file, Problem problem, String detail) {
        this(file, problem, detail, -1);
    }

    /** {@code sizeRead}: how many bytes the read that found the problem got, or -1. */
    public CorruptRecordFileException(Path file, Problem problem, String detail, long sizeRead) {
        super(file, "record file " + file + " " + describe(problem) + ": " + detail
                + " (the file is left as it is; fix or move it by hand)");
        this.problem = problem;
        this.detail = detail;
        this.sizeRead = sizeRead;
    }

    /** How many bytes the read that found the problem got, or -1 when not known. */
    public long sizeRead() {
        return sizeRead;
    }

    private static String describe(Problem p) {
        return switch (p) {
            case NOT_JSON -> "is not valid JSON";
            case TRUNCATED -> "is truncated";
            case NOT_UTF8 -> "is not valid UTF-8";
            case EMPTY -> "is empty";
            case UNKNOWN_FORMAT -> "is not a lockscope record file of a known format";
            case TOO_LARGE -> "is too large";
            case NOT_REGULAR_FILE -> "is not a regular file";
        };
    }

    public Problem problem() {
        return problem;
    }

    /**
     * This problem as found by the last of {@code reads} reads over {@code millis} ms, each opening the file anew:
     * a file that only looked torn would have read whole again.
     */
    CorruptRecordFileException afterRereads(int reads, long millis) {
        CorruptRecordFileException e = new CorruptRecordFileException(file(), problem,
                detail + "; the same after " + reads + " reads over " + millis + " ms", sizeRead);
        e.initCause(this);
        return e;
    }

    /** The problem without the file name. */
    public String detail() {
        return detail;
    }
}
