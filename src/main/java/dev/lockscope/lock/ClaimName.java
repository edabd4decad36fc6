package dev.lockscope.lock;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a claim file, {@code .<lock>.<host>.<pid>.<token>}: the one place that writes and reads that grammar.
 * Immutable; any thread.
 *
 * <p>The host part is {@link LockFile#safe} (letters, digits, '-' and '_', no dots), the pid is decimal and the
 * token 32 lower-case hex digits, so the parts split unambiguously and a name never holds '/' or "..".
 *
 * <p>The grammar is matched with DOTALL: a lock name may hold a newline ({@link LockFile#of} refuses only '/',
 * ".." and NUL), and without it the claim of such a lock was not recognised as one: the scanner showed it as a
 * second lock (it holds the owner record) and a breaker never found it to remove.
 *
 * @param lockName the lock's file name ({@code R.lock})
 * @param host     the host part, already in the safe alphabet
 * @param pid      the pid part
 * @param token    the token part
 */
public record ClaimName(String lockName, String host, long pid, String token) {

    private static final Pattern GRAMMAR =
            Pattern.compile("\\.(.+)\\.([A-Za-z0-9_-]{1,64})\\.([1-9][0-9]{0,9})\\.([0-9a-f]{32})", Pattern.DOTALL);

    /**
     * The claim name an owner's acquisition wrote, built only from fields that follow the grammar we write.
     *
     * @throws IllegalArgumentException when the token is not one of ours or the pid is out of range: such a record
     *                                  never names a claim
     */
    public static ClaimName of(String lockName, String host, long pid, String token) {
        LockFile.validateName(lockName);
        if (!LockOwner.isToken(token)) {
            throw new IllegalArgumentException("not a lockscope token: a claim name is never built from it");
        }
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid " + pid + " out of range: a claim name is never built from it");
        }
        return new ClaimName(lockName, LockFile.safe(host), pid, token);
    }

    /** The parts of {@code fileName}, or null when it is not a claim name of our grammar. */
    public static ClaimName parse(String fileName) {
        Matcher m = GRAMMAR.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        return new ClaimName(m.group(1), m.group(2), Long.parseLong(m.group(3)), m.group(4));
    }

    /** The file name: a single name, directly in the lock's directory. */
    public String fileName() {
        return "." + lockName + "." + host + "." + pid + "." + token;
    }
}
