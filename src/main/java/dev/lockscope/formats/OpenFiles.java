package dev.lockscope.formats;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which process of this host has a file open, from {@code /proc/<pid>/fd}: an empty lock file that no kernel lock
 * holds may still be held open by its tool (py-filelock's {@code SoftFileLock} before 3.10 writes nothing and keeps
 * its file open until release), so "free" needs proof that nobody has it open. Stateless; any thread but the
 * JavaFX thread. Only {@code /proc} is read; the links there are followed (they are the kernel's, not the lock
 * directory's).
 */
final class OpenFiles {

    /** Fewer than this many descriptors are looked at in all: a bound on the cost of one look-up. */
    private static final int MAX_DESCRIPTORS = 200_000;

    /**
     * What the look-up found.
     *
     * @param pid      a process that has the file open, or -1
     * @param complete false when some process's descriptors could not be read (another user's, without root), so
     *                 "nobody has it open" is not proven
     */
    record Result(long pid, boolean complete) {
    }

    private OpenFiles() {
    }

    static Result holder(long device, long inode) {
        Path proc = Path.of("/proc");
        boolean complete = true;
        int seen = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> isNumber(p.getFileName().toString()))) {
            for (Path pidDir : pids) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(pidDir.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (++seen > MAX_DESCRIPTORS) {
                            return new Result(-1, false);
                        }
                        try {
                            Map<String, Object> a = Files.readAttributes(fd, "unix:dev,ino");
                            if (((Number) a.get("ino")).longValue() == inode
                                    && ((Number) a.get("dev")).longValue() == device) {
                                return new Result(Long.parseLong(pidDir.getFileName().toString()), true);
                            }
                        } catch (IOException | UnsupportedOperationException e) {
                            // closed meanwhile, or a socket/pipe without a file behind it
                        }
                    }
                } catch (AccessDeniedException e) {
                    complete = false;
                } catch (NoSuchFileException e) {
                    // exited meanwhile
                } catch (IOException e) {
                    complete = false;
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            return new Result(-1, false);
        }
        return new Result(-1, complete);
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
