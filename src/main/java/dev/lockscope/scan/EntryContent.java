package dev.lockscope.scan;

import dev.lockscope.formats.ForeignLock;
import dev.lockscope.lock.ClaimName;
import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockIdentity;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.record.RecordIntent;
import dev.lockscope.record.RecordTempFile;

import java.util.regex.Pattern;

/**
 * What {@link DirectoryReader} read of one entry: all that {@link EntryClassifier} needs of the filesystem.
 * Immutable; any thread. Built by one factory per kind of read; the components a kind does not have are null.
 *
 * @param nameClass  what the name (and lstat type) say the entry is, before its content is known
 * @param freshFacts for a regular file read: its attributes stat'ed while it was open (fresher than the listing's)
 * @param owner      a lockscope owner record read from it, or null
 * @param identity   the evidence a break checks against (a lockscope or foreign lock's bytes), or null
 * @param readError  why the content is not an owner record (or, when {@code unreadable}, why it could not be read)
 * @param unreadable true when the entry could not be examined at all
 * @param linkTarget for a symlink: its target (bounded), never followed
 * @param foreign    another tool's lock, claim or temp file recognised in it, or null
 * @param special    for a FIFO, socket or device: what it is, in words
 * @param claimName  for a claim: the parts of its name
 */
record EntryContent(NameClass nameClass, FileFacts freshFacts, LockOwner owner, LockIdentity identity,
                    String readError, boolean unreadable, String linkTarget, ForeignLock foreign, String special,
                    ClaimName claimName) {

    /** What a name and its lstat type say an entry is; decides what {@link DirectoryReader} reads of it. */
    enum NameClass {
        PROBE, AUDIT_DIR, DIRECTORY, SYMLINK, SPECIAL, NFS, TEMP, INTENT, CLAIM, BROKEN, CANDIDATE;

        private static final Pattern NFS_SILLY = Pattern.compile("\\.nfs[0-9A-Fa-f]{4,}");

        /** Pure: the name and the type from lstat, nothing else. */
        static NameClass of(String name, FileFacts.Type type) {
            switch (type) {
                case DIRECTORY:
                    return name.equals(LockFile.AUDIT_DIR) ? AUDIT_DIR : DIRECTORY;
                case SYMLINK:
                    return SYMLINK;
                case OTHER:
                    return SPECIAL;
                default:
                    break;
            }
            if (name.startsWith(LockFile.PROBE_PREFIX)) {
                return PROBE;
            }
            if (NFS_SILLY.matcher(name).matches()) {
                return NFS;
            }
            ClaimName claim = ClaimName.parse(name);
            if (claim != null && !claim.lockName().endsWith(".tmp")) {
                return CLAIM;
            }
            // Before TEMP, whose grammar is loose: the intent of a record file named "a.tmp.b" is an intent.
            if (RecordIntent.parseFileName(name).isPresent()) {
                return INTENT;
            }
            if (RecordTempFile.recordFileOf(name).isPresent()) {
                return TEMP;
            }
            if (LockFile.parseBroken(name).isPresent()) {
                return BROKEN;
            }
            return CANDIDATE;
        }
    }

    /** An entry named by its name alone: probes, temp files, intents, silly-renames and directories are never opened. */
    static EntryContent named(NameClass nameClass) {
        return new EntryContent(nameClass, null, null, null, null, false, null, null, null, null);
    }

    /** An entry that could not be examined, and why. */
    static EntryContent unreadable(String why) {
        return new EntryContent(NameClass.CANDIDATE, null, null, null, why, true, null, null, null, null);
    }

    /** A symbolic link: its target, and the foreign lock it is when a tool makes its locks as links. */
    static EntryContent symlink(String target, ForeignLock foreign) {
        return new EntryContent(NameClass.SYMLINK, null, null, null, null, false, target, foreign, null, null);
    }

    /** A FIFO, socket or device, described but never opened. */
    static EntryContent special(String description) {
        return new EntryContent(NameClass.SPECIAL, null, null, null, null, false, null, null, description, null);
    }

    /**
     * A regular file's bounded content: its owner record, or why it is none, and the foreign lock it may be.
     *
     * @param claimName the parts of its name when {@code nameClass} is CLAIM, else null
     */
    static EntryContent regular(NameClass nameClass, FileFacts freshFacts, LockOwner owner, LockIdentity identity,
                                String readError, ForeignLock foreign, ClaimName claimName) {
        return new EntryContent(nameClass, freshFacts, owner, identity, readError, false, null, foreign, null,
                claimName);
    }

    /** True for a lockscope lock or guard candidate whose content is an owner record: a claim's lock. */
    boolean isOwnedLock() {
        return owner != null && nameClass == NameClass.CANDIDATE;
    }
}
