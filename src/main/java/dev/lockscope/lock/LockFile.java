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
        return new LockFile(directory.toAbsolutePath().normalize(), name);
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
        return of(abs.getParent().normalize(), fileName.toString());
    }

    /** The lock that guards the resource file {@code resource}: {@code resource.lock} beside it. */
    public static LockFile forResource(Path resource) {
        Path abs = resource.toAbsolutePath().normalize();
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

    /** The claim file for one acquisition. */
    public Path claimPath(String host, long pid, String token) {
        return directory.resolve("." + name + "." + safe(host) + "." + pid + "." + token);
    }

    /** The guard lock that serialises breakers. */
    public LockFile guard() {
        return new LockFile(directory, name + GUARD_SUFFIX);
    }

    /** A unique name for a lock being broken. */
    public Path brokenPath(long timeMillis, String token) {
        return directory.resolve(name + BROKEN_INFIX + timeMillis + "." + safe(token));
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
