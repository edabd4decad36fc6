package dev.lockscope.scan;

import dev.lockscope.lock.FileFacts;

import java.nio.file.Path;

/**
 * One listed entry as {@link DirectoryReader} found it, for {@link EntryClassifier}. Immutable; any thread.
 *
 * @param name    the entry's name ({@link EntryNames}: lossless)
 * @param path    the path as listed, whose bytes are the file's whatever the locale
 * @param facts   its lstat (fresh from the read when the content was read), or null when lstat failed
 * @param content what was read of it; the same instance as the previous refresh's while the file is unchanged
 */
record ReadEntry(String name, Path path, FileFacts facts, EntryContent content) {
}
