package dev.lockscope.formats;

import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.LockState;
import dev.lockscope.testing.MultiProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The evidence a break of another tool's lock checks, where content alone cannot tell two locks apart. */
@MultiProcess
class ForeignBreakTest {

    @TempDir
    Path dir;

    /**
     * procmail's locks all hold the byte {@code 0}, and have a link count of 1: a new lock with the same content and
     * mtime is told from the judged one only by its inode. The witness link proves this filesystem counts links, so
     * the inode is compared.
     */
    @Test
    void aLookAlikeLockThatReplacedTheJudgedOneIsNotBroken() throws Exception {
        Path lock = dir.resolve("m.lock");
        assertThat(RealTools.run(dir, "lockfile", "-r", "0", lock.toString())).isZero();
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 120_000);
        Files.setLastModifiedTime(lock, old);
        ForeignSettings.setProcmailLocktimeout(dir, Duration.ofMinutes(1));
        try {
            ForeignVerdict judged = ForeignLocks.inspect(lock).orElseThrow();
            assertThat(judged.verdict().state()).isEqualTo(LockState.EXPIRED);

            // It was replaced by another procmail lock: the same byte, and (here) the same mtime. (Made under
            // another name and renamed over it, so that the file system cannot hand out the old inode again.)
            Path other = dir.resolve("other.lock");
            assertThat(RealTools.run(dir, "lockfile", "-r", "0", other.toString())).isZero();
            Files.setLastModifiedTime(other, old);
            Files.move(other, lock, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            long newInode = (Long) Files.getAttribute(lock, "unix:ino");
            assertThat(newInode).isNotEqualTo(judged.verdict().identity().inode());

            BreakResult r = ForeignLocks.breakLock(judged, false);
            assertThat(r.outcome()).as(r.message()).isEqualTo(BreakResult.Outcome.CHANGED);
            assertThat(lock).exists();
            assertThat((Long) Files.getAttribute(lock, "unix:ino")).isEqualTo(newInode);
        } finally {
            ForeignSettings.setProcmailLocktimeout(dir, null);
        }
    }
}
