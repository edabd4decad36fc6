package dev.lockscope.lock;

/** A claim file that is no longer this acquisition's own: a symbolic link, or a file with other bytes. */
final class ClaimTamperedException extends LockLostException {
    ClaimTamperedException(String message) {
        super(message);
    }

    ClaimTamperedException(String message, Throwable cause) {
        super(message, cause);
    }
}
