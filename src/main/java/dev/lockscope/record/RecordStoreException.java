package dev.lockscope.record;

import java.io.IOException;
import java.nio.file.Path;

/** A record-store operation failed; the message names the record file and the problem. Any thread. */
public class RecordStoreException extends IOException {
    private final Path file;

    public RecordStoreException(Path file, String message) {
        super(message);
        this.file = file;
    }

    public RecordStoreException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The record file concerned. */
    public Path file() {
        return file;
    }
}
