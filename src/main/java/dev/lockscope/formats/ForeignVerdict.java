package dev.lockscope.formats;

import dev.lockscope.lock.Verdict;

/**
 * Another tool's lock judged by that tool's own rule. Immutable; any thread.
 *
 * @param foreign what the tool recorded
 * @param verdict the verdict, whose identity (inode, mtime, size, bytes or link target) is a break's evidence
 */
public record ForeignVerdict(ForeignLock foreign, Verdict verdict) {
}
