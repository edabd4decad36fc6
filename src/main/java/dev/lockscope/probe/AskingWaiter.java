package dev.lockscope.probe;

import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.LockTimeoutException;
import dev.lockscope.lock.Verdict;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A waiter that asks the holder's host: {@code run --ask-host}. It waits as {@link LinkLock#acquire} waits, in
 * slices; between them, when another host holds the lock, it asks that host (at most once per
 * {@link #RECHECK_EVERY} per holder) and breaks the lock through the safe break when the answer is DEAD.
 * The calling thread blocks; any thread but the JavaFX one.
 */
public final class AskingWaiter {
    /** A live remote holder is asked again this often: each check is an ssh login on that host. */
    public static final Duration RECHECK_EVERY = Duration.ofSeconds(30);

    private AskingWaiter() {
    }

    /**
     * @param say receives one line per check and break, for the operator
     * @throws LockTimeoutException when the lock stays held for {@code timeout}
     */
    public static LockHandle acquire(LinkLock lock, Duration timeout, HostChecker checker, Consumer<String> say)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String askedToken = null;
        long nextAsk = System.nanoTime();
        boolean refused = false;
        while (true) {
            Optional<LockHandle> h = lock.tryAcquire();
            if (h.isPresent()) {
                return h.get();
            }
            Verdict v = lock.inspect();
            if (v.state() == LockState.FREE) {
                continue;
            }
            String token = v.owner() == null ? null : v.owner().token();
            if (token != null && !token.equals(askedToken)) {
                askedToken = token;
                nextAsk = System.nanoTime();
                refused = false;
            }
            if (!refused && lock.options().breakStale() && checker.worthAsking(v) && System.nanoTime() - nextAsk >= 0) {
                HostChecker.Checked c = checker.check(v);
                say.accept("lockscope: holder " + v.holderDescription() + ": " + c.check().headline());
                refused = c.check().result() == HostCheck.Result.REFUSED;
                nextAsk = System.nanoTime() + RECHECK_EVERY.toNanos();
                if (c.verdict().state() == LockState.DEAD) {
                    BreakResult r = lock.breakLock(c.verdict(), false);
                    say.accept("lockscope: " + r.message());
                    continue;
                }
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new LockTimeoutException("timed out after " + timeout.toMillis() + " ms waiting for "
                        + lock.file().path() + ", held by " + v.holderDescription() + " [" + v.state() + ": "
                        + v.reason() + "]", v);
            }
            long slice = refused || !checker.worthAsking(v) ? remaining : Math.min(remaining, Math.max(
                    nextAsk - System.nanoTime(), 1_000_000L));
            try {
                return lock.acquire(Duration.ofNanos(slice));
            } catch (LockTimeoutException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
        }
    }
}
