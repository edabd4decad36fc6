package dev.lockscope.lock;

import java.io.IOException;

/** A lock operation failed; the message names the path and, where known, the holder. Any thread. */
public class LockException extends IOException {
    public LockException(String message) {
        super(message);
    }

    public LockException(String message, Throwable cause) {
        super(message, cause);
    }
}
