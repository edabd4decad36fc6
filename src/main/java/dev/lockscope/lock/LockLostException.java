package dev.lockscope.lock;

/** The handle no longer holds its lock: it was broken, replaced or removed. Any thread. */
public class LockLostException extends LockException {
    public LockLostException(String message) {
        super(message);
    }

    public LockLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
