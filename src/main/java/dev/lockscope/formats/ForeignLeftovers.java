package dev.lockscope.formats;

import dev.lockscope.lock.FileFacts;
import dev.lockscope.lock.LockBreaker;
import dev.lockscope.lock.LockIdentity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tool's own files that a broken lock leaves behind, removed after the break: flufl.lock's claim file (the
 * lock's other hard link), and the temp file of a dotlockfile or procmail acquirer that crashed between its
 * link and its unlink (then also a hard link to the lock). They are found by listing the directory and matching
 * the tool's exact name grammar, and only a regular file that is the broken lock's inode is removed (for
 * flufl.lock, on filesystems that give each name its own inode number, the claim whose name the lock's content
 * spells out; the name is compared, never used as a path). Mercurial, git and py-filelock leave nothing.
 * Stateless; any thread.
 */
final class ForeignLeftovers implements LockBreaker.Leftovers {

    private final Pattern grammar;
    private final String lockName;
    private final boolean fluflNameFromContent;

    private ForeignLeftovers(Pattern grammar, String lockName, boolean fluflNameFromContent) {
        this.grammar = grammar;
        this.lockName = lockName;
        this.fluflNameFromContent = fluflNameFromContent;
    }

    /** The leftovers of {@code foreign}'s tool for the lock named {@code lockName}. */
    static LockBreaker.Leftovers of(ForeignLock foreign, String lockName) {
        return switch (foreign.format()) {
            case ForeignLock.FLUFL -> new ForeignLeftovers(
                    Pattern.compile(Pattern.quote(lockName) + "\\|[^|/]{1,255}\\|\\d{1,10}\\|[^|/]{1,64}"), lockName, true);
            case ForeignLock.DOTLOCKFILE -> new ForeignLeftovers(ForeignFormats.DOTLOCK_TEMP, lockName, false);
            case ForeignLock.PROCMAIL -> new ForeignLeftovers(ForeignFormats.PROCMAIL_TEMP, lockName, false);
            default -> LockBreaker.Leftovers.NONE;
        };
    }

    @Override
    public List<String> remove(Path directory, LockIdentity evidence) {
        String claimNamed = fluflNameFromContent ? lastComponent(evidence.content()) : null;
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                Matcher m = grammar.matcher(name);
                if (!m.matches() || name.equals(lockName)) {
                    continue;
                }
                FileFacts f = FileFacts.lstatOrNull(p);
                if (f == null || f.type() != FileFacts.Type.REGULAR) {
                    continue; // a symlink or anything else under a tool's name is never ours to remove
                }
                boolean sameInode = evidence.inode() >= 0 && f.inode() == evidence.inode();
                if (sameInode || name.equals(claimNamed)) {
                    Files.deleteIfExists(p);
                    removed.add(name);
                }
                if (removed.size() >= 16) {
                    break;
                }
            }
        } catch (IOException e) {
            // Best effort: the lock is already broken; a leftover stays visible to the scanner.
        }
        return removed;
    }

    /** The last path component of flufl.lock's content (the claim file's path), or null. */
    private static String lastComponent(byte[] content) {
        String s = new String(content, StandardCharsets.UTF_8).strip();
        if (s.isEmpty() || s.length() > 4096 || s.indexOf('\n') >= 0) {
            return null;
        }
        int slash = s.lastIndexOf('/');
        return slash < 0 ? s : s.substring(slash + 1);
    }
}
