package dev.lockscope.lock;

/** The lock could not be had within the timeout; carries the last verdict on the holder. Any thread. */
public class LockTimeoutException extends LockException {
    private final transient Verdict lastVerdict;

    public LockTimeoutException(String message, Verdict lastVerdict) {
        super(message);
        this.lastVerdict = lastVerdict;
    }

    /** The last thing known about the holder, or null. */
    public Verdict lastVerdict() {
        return lastVerdict;
    }
}
