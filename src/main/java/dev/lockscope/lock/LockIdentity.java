package dev.lockscope.lock;

import java.util.Arrays;

/**
 * What makes one lock file the one we judged: a breaker keeps this as its evidence and acts only
 * while a fresh read still matches. Immutable; any thread.
 *
 * @param inode        the inode number, or -1 when unknown
 * @param mtimeMillis  last modification time, server clock
 * @param size         file size in bytes
 * @param content      the bounded bytes read from the file (the owner record and so its token)
 */
public record LockIdentity(long inode, long mtimeMillis, long size, byte[] content) {

    public LockIdentity {
        content = content == null ? new byte[0] : content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /**
     * Whether {@code other} is the same lock, unchanged.
     *
     * @param compareInodes false on filesystems that give every name its own inode number (sshfs)
     */
    public boolean sameAs(LockIdentity other, boolean compareInodes) {
        return sameAs(other, compareInodes, true);
    }

    /**
     * As {@link #sameAs(LockIdentity, boolean)}; with {@code compareMtime} false a renewal by the same
     * owner does not count as a change (a forced break of a live owner expects renewals).
     */
    public boolean sameAs(LockIdentity other, boolean compareInodes, boolean compareMtime) {
        if (other == null) {
            return false;
        }
        if (compareInodes && inode != other.inode) {
            return false;
        }
        if (compareMtime && mtimeMillis != other.mtimeMillis) {
            return false;
        }
        return size == other.size && Arrays.equals(content, other.content);
    }

    /** Content equality alone: the token read-back test, for filesystems without trustworthy inodes. */
    public boolean sameContent(LockIdentity other) {
        return other != null && Arrays.equals(content, other.content);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LockIdentity li && inode == li.inode && mtimeMillis == li.mtimeMillis
                && size == li.size && Arrays.equals(content, li.content);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(inode) * 31 + Long.hashCode(mtimeMillis) * 17 + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "LockIdentity[inode=" + inode + ", mtime=" + mtimeMillis + ", size=" + size + "]";
    }
}
