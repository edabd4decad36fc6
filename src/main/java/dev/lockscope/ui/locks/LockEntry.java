package dev.lockscope.ui.locks;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.Verdict;

import java.nio.file.Path;

/**
 * One entry of a lock directory as read at one moment. Immutable; any thread.
 *
 * @param name    file name
 * @param path    full path
 * @param kind    classification
 * @param facts   lstat attributes, or null when even those could not be read
 * @param verdict the lock core's verdict for locks and break guards, else null
 * @param raw     the first bytes of the file (bounded), possibly empty
 * @param note    a remark for people (why unreadable, what a claim belongs to), or null
 */
public record LockEntry(String name, Path path, EntryKind kind, FileFacts facts, Verdict verdict, byte[] raw,
                        String note) {
    public LockEntry {
        raw = raw == null ? new byte[0] : raw;
    }
}
