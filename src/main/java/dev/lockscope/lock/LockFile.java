package dev.lockscope.lock;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The names that belong to one lock: the lock itself, claim files, the break guard and broken
 * leftovers. Immutable; any thread.
 *
 * <p>A lock for resource {@code R} in directory {@code D} is {@code D/R.lock}.
 */
public final class LockFile {
    public static final String LOCK_SUFFIX = ".lock";
    public static final String GUARD_SUFFIX = ".break";
    public static final String BROKEN_INFIX = ".broken.";
    public static final String AUDIT_DIR = ".lockscope-audit";
    public static final String PROBE_PREFIX = ".lockscope-probe.";

    private static final java.util.regex.Pattern BROKEN = java.util.regex.Pattern.compile(
            "(.+)" + java.util.regex.Pattern.quote(BROKEN_INFIX) + "(\\d{1,19})\\.(.+)", java.util.regex.Pattern.DOTALL);

    private final Path directory;
    private final String name;

    private LockFile(Path directory, String name) {
        this.directory = directory;
        this.name = name;
    }

    /**
     * A lock named {@code name} (for example {@code records.json.lock}) in {@code directory}.
     *
     * @throws IllegalArgumentException when the name is empty, holds '/', is "." or "..", or has a NUL
     */
    public static LockFile of(Path directory, String name) {
        Objects.requireNonNull(directory, "directory");
        validateName(name);
        return new LockFile(resolveDirectory(directory), name);
    }

    /**
     * The absolute directory, as the OS resolves it. A lexical {@code normalize()} of {@code link/..} gives the
     * parent of {@code link}'s own directory, while the OS goes up from wherever {@code link} points: then two
     * processes naming the same path would lock different files. So a path with a {@code ..} element is resolved
     * by the OS ({@code realpath}), and refused when it cannot be; other paths only lose their {@code .} elements.
     */
    static Path resolveDirectory(Path directory) {
        Path abs = directory.toAbsolutePath();
        for (Path element : abs) {
            if (element.toString().equals("..")) {
                try {
                    return abs.toRealPath();
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("lock directory '" + directory + "' holds '..' and cannot be"
                            + " resolved (" + IoErrorText.reason(e) + "); name it without '..'", e);
                }
            }
        }
        return abs.normalize();
    }

    /** The lock file at {@code lockPath}. */
    public static LockFile at(Path lockPath) {
        Path abs = lockPath.toAbsolutePath();
        Path fileName = abs.getFileName();
        if (fileName == null) {
            throw new IllegalArgumentException("not a lock file path: '" + lockPath + "'");
        }
        String raw = lockPath.toString();
        if (raw.endsWith("/")) {
            throw new IllegalArgumentException("lock path '" + lockPath + "' names a directory, not a lock file");
        }
        return of(abs.getParent(), fileName.toString());
    }

    /** The lock that guards the resource file {@code resource}: {@code resource.lock} beside it. */
    public static LockFile forResource(Path resource) {
        Path abs = resource.toAbsolutePath();
        if (abs.getFileName() == null || abs.getFileName().toString().equals("..")
                || abs.getFileName().toString().equals(".")) {
            throw new IllegalArgumentException("not a resource file path: '" + resource + "'");
        }
        return of(abs.getParent(), abs.getFileName() + LOCK_SUFFIX);
    }

    static void validateName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("lock name is empty");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || name.equals(".") || name.equals("..")
                || name.contains("..")) {
            throw new IllegalArgumentException("invalid lock name '" + name
                    + "': it must be a plain file name without '/', '..' or NUL");
        }
        if (name.length() > 200) {
            throw new IllegalArgumentException("lock name too long (" + name.length() + " > 200 characters): '" + name + "'");
        }
    }

    public Path directory() {
        return directory;
    }

    public String name() {
        return name;
    }

    public Path path() {
        return directory.resolve(name);
    }

    /**
     * The claim file for one acquisition of this process (its own host, pid and token; see {@link ClaimName}).
     * Never called with fields read from a file: a breaker finds an owner's claim with {@link #findClaim}.
     */
    public Path claimPath(String host, long pid, String token) {
        return directory.resolve(ClaimName.of(name, host, pid, token).fileName());
    }

    /**
     * The claim file of {@code owner}'s acquisition of this lock, found by LISTING the directory: an entry whose
     * name follows the claim grammar with lock name, host, pid and token all equal to the record's, and which is a
     * regular file (lstat). Nothing is built from the record's content, so a hostile token such as
     * {@code /../../victim} matches no entry. Empty when there is none, when the record's fields do not follow
     * our grammar, or when the directory cannot be listed. A listing may lag behind other clients (sshfs, NFS
     * attribute caches): callers use this only for best-effort cleanup, never for a correctness decision.
     */
    public java.util.Optional<Path> findClaim(LockOwner owner) {
        if (!LockOwner.isToken(owner.token()) || owner.pid() <= 0 || owner.pid() > Integer.MAX_VALUE) {
            return java.util.Optional.empty();
        }
        String host = safe(owner.host());
        try (java.nio.file.DirectoryStream<Path> entries = java.nio.file.Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                Path fileName = entry.getFileName();
                ClaimName c = fileName == null ? null : ClaimName.parse(fileName.toString());
                if (c == null || !c.lockName().equals(name) || !c.host().equals(host) || c.pid() != owner.pid()
                        || !c.token().equals(owner.token())) {
                    continue;
                }
                Path claim = directory.resolve(c.fileName());
                if (!claim.getParent().equals(directory)) {
                    continue; // cannot happen with this grammar; kept as the last word on "directly inside"
                }
                FileFacts f = FileFacts.lstatOrNull(claim);
                if (f != null && f.type() == FileFacts.Type.REGULAR) {
                    return java.util.Optional.of(claim);
                }
            }
        } catch (java.io.IOException | java.nio.file.DirectoryIteratorException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }

    /** The guard lock that serialises breakers. */
    public LockFile guard() {
        return new LockFile(directory, name + GUARD_SUFFIX);
    }

    /** A unique name for a lock being broken. */
    public Path brokenPath(long timeMillis, String token) {
        // safe() keeps the tag to letters, digits, '-' and '_': a single name in this directory.
        return directory.resolve(name + BROKEN_INFIX + timeMillis + "." + safe(token));
    }

    /**
     * What the name of a broken leftover ({@link #brokenPath}) says, or empty for any other name. The tag after the
     * time is not checked: a leftover is recognised by its lock name, infix and time alone. DOTALL, since a lock
     * name may hold any character but '/' and NUL (a newline too).
     */
    public static java.util.Optional<BrokenName> parseBroken(String fileName) {
        java.util.regex.Matcher m = BROKEN.matcher(fileName);
        if (!m.matches()) {
            return java.util.Optional.empty();
        }
        long at;
        try {
            at = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            at = -1; // 19 digits beyond a long: still a leftover, of an unknown time
        }
        return java.util.Optional.of(new BrokenName(m.group(1), at));
    }

    /**
     * The parts of a broken leftover's name.
     *
     * @param lockName       the name of the lock that was broken
     * @param brokenAtMillis when it was broken (the breaker's clock), or -1 when the name's number is out of range
     */
    public record BrokenName(String lockName, long brokenAtMillis) {
    }

    public Path auditDirectory() {
        return directory.resolve(AUDIT_DIR);
    }

    /** Host names become part of file names; keep them to a safe alphabet. */
    static String safe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' ? c : '_');
        }
        return b.length() == 0 ? "_" : b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LockFile lf && lf.directory.equals(directory) && lf.name.equals(name);
    }

    @Override
    public int hashCode() {
        return directory.hashCode() * 31 + name.hashCode();
    }

    @Override
    public String toString() {
        return path().toString();
    }
}
