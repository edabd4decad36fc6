package dev.lockscope.ui;

import dev.lockscope.lock.BreakResult;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.MessageLevel;
import dev.lockscope.ui.locks.LockRowViewModel;
import dev.lockscope.ui.locks.LocksViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the lock table says and does when its directory fails under it, with the real causes: deleted,
 * replaced by a file, unreadable to the user.
 */
@MultiProcess
class LocksFailureTest {

    @TempDir
    Path tmp;

    /** The clock the view model ages rows on: time passes when a test says so. */
    private final dev.lockscope.testing.ManualLockClock clock = new dev.lockscope.testing.ManualLockClock();

    private LocksViewModel viewModel(ScriptedDialogs dialogs) {
        return new LocksViewModel(BackgroundIo.synchronous(), Runnable::run, dialogs, new SynchronousScannerSource(),
                dev.lockscope.ui.locks.LockActions.linkLocks(), clock);
    }

    private static LockRowViewModel row(LocksViewModel vm, String name) {
        return vm.allRows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aDeletedDirectorySaysSoAndItsRowsStopBeingCurrent() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("locks"));
        LockFixtures.expiredLock(dir.resolve("expired.lock"));
        LocksViewModel vm = viewModel(new ScriptedDialogs());
        vm.open(dir);
        LockRowViewModel r = row(vm, "expired.lock");
        assertThat(r.currentProperty().get()).isTrue();

        deleteTree(dir);
        vm.refresh();

        assertThat(vm.errorMessageProperty().get()).contains(dir.toString(), "deleted", "no longer current")
                .doesNotContain("hung").doesNotContain("Exception");
        assertThat(r.currentProperty().get()).isFalse();
        long age = r.lockAgeMillisProperty().get();
        clock.advance(java.time.Duration.ofSeconds(1));
        vm.tick();
        assertThat(r.lockAgeMillisProperty().get()).as("the age stops").isEqualTo(age);
        vm.select("expired.lock");
        assertThat(vm.canBreakProperty().get()).as("nothing known is breakable").isFalse();

        // The directory comes back: the rows are current again.
        Files.createDirectories(dir);
        LockFixtures.expiredLock(dir.resolve("expired.lock"));
        vm.refresh();
        assertThat(vm.errorMessageProperty().get()).isEmpty();
        assertThat(row(vm, "expired.lock").currentProperty().get()).isTrue();
    }

    @Test
    void aBreakThatFailsIsReportedByItsCauseNotAsAFailedRestore() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("locks"));
        LockFixtures.expiredLock(dir.resolve("expired.lock"));
        ScriptedDialogs dialogs = new ScriptedDialogs();
        LocksViewModel vm = viewModel(dialogs);
        List<BreakResult> results = new ArrayList<>();
        vm.setOnBreakFinished(results::add);
        vm.open(dir);
        vm.select("expired.lock");
        // After the table was read, the directory is replaced by a plain file (a remount gone wrong).
        deleteTree(dir);
        Files.writeString(dir, "not a directory any more");
        dialogs.breakAnswers.add(true);
        vm.breakSelected();

        assertThat(results).isEmpty();
        assertThat(vm.lastOutcomeProperty().get()).isNotEqualTo(BreakResult.Outcome.RESTORE_FAILED);
        assertThat(vm.actionLevelProperty().get()).isEqualTo(MessageLevel.ERROR);
        assertThat(vm.actionMessageProperty().get()).contains("expired.lock", "did not complete", "Not a directory")
                .doesNotContain("RESTORE").doesNotContain("Exception");
    }

    @Test
    void anUnreadableDirectorySaysPermissionDenied() throws Exception {
        // Root reads everything; so as root the table is opened by a child JVM running as nobody, on a
        // directory that only root may read, with the class path copied where nobody may read it.
        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = Files.createDirectories(open.resolve("secret"));
        LockFixtures.expiredLock(secret.resolve("expired.lock"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
        String message;
        if (!"root".equals(System.getProperty("user.name"))) {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
            message = UnreadableDirectoryProbe.messageFor(secret);
        } else {
            message = asNobody(secret, Files.createDirectories(open.resolve("cp")));
        }
        assertThat(message).contains("Permission denied", secret.toString()).doesNotContain("hung")
                .doesNotContain("Exception");
    }

    private static String asNobody(Path dir, Path cpDir) throws Exception {
        List<String> cp = new ArrayList<>();
        int i = 0;
        for (String entry : TestJvm.classPath().split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isRegularFile(p)) {
                Path copy = cpDir.resolve(i++ + "-" + p.getFileName());
                Files.copy(p, copy);
                cp.add(copy.toString());
            } else if (Files.isDirectory(p)) {
                cp.add(entry); // the build's own class directories are readable by all
            }
        }
        Files.setPosixFilePermissions(cpDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (var s = Files.list(cpDir)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
            }
        }
        ProcessBuilder pb = TestJvm.builder(UnreadableDirectoryProbe.class, List.of(dir.toString()));
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        List<String> javaCmd = new ArrayList<>(pb.command());
        javaCmd.set(javaCmd.indexOf("-cp") + 1, String.join(java.io.File.pathSeparator, cp));
        cmd.addAll(javaCmd);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
