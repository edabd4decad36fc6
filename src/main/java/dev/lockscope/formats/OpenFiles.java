package dev.lockscope.formats;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Which process of this host has a file open, from {@code /proc/<pid>/fd}: an empty lock file that no kernel lock
 * holds may still be held open by its tool (py-filelock's {@code SoftFileLock} before 3.10 writes nothing and keeps
 * its file open until release), so "free" needs proof that nobody has it open. One instance reads {@code /proc}
 * once, at its first question, and answers every later one from that reading: a scanner asks through one instance
 * per refresh, however many empty lock files the directory holds. Only {@code /proc} is read; the links there are
 * followed (they are the kernel's, not the lock directory's). Not thread-safe: one thread at a time, never the
 * JavaFX thread.
 */
final class OpenFiles implements ForeignJudge.OpenFileTable {

    /** Fewer than this many descriptors are looked at in all: a bound on the cost of one reading. */
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

    /** "dev:ino" to a pid that has it open; null until the first question. */
    private Map<String, Long> open;
    private boolean complete;

    @Override
    public Result holder(long device, long inode) {
        if (open == null) {
            read();
        }
        Long pid = open.get(device + ":" + inode);
        return pid != null ? new Result(pid, true) : new Result(-1, complete);
    }

    private void read() {
        open = new HashMap<>();
        complete = true;
        int seen = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(Path.of("/proc"),
                p -> isNumber(p.getFileName().toString()))) {
            for (Path pidDir : pids) {
                long pid = Long.parseLong(pidDir.getFileName().toString());
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(pidDir.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (++seen > MAX_DESCRIPTORS) {
                            complete = false;
                            return;
                        }
                        try {
                            Map<String, Object> a = Files.readAttributes(fd, "unix:dev,ino");
                            open.putIfAbsent(((Number) a.get("dev")).longValue() + ":"
                                    + ((Number) a.get("ino")).longValue(), pid);
                        } catch (IOException | UnsupportedOperationException e) {
                            // closed meanwhile, or a socket/pipe without a file behind it
                        }
                    }
                } catch (NoSuchFileException e) {
                    // exited meanwhile
                } catch (AccessDeniedException e) {
                    complete = false;
                } catch (IOException e) {
                    complete = false;
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            complete = false;
        }
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
