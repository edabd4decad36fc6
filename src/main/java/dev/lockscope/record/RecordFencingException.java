package dev.lockscope.record;

import dev.lockscope.lock.LockLostException;

import java.nio.file.Path;

/**
 * The fencing check before the rename failed: the lock is no longer ours, or the generation on disk
 * moved while we held the lock. Nothing was committed and the temp file was removed. Any thread.
 */
public class RecordFencingException extends LockLostException {
    private final transient Path file;

    public RecordFencingException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
