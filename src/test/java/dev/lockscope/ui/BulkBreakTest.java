package dev.lockscope.ui;

import dev.lockscope.lock.LockFile;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.MessageLevel;
import dev.lockscope.ui.locks.LockRowViewModel;
import dev.lockscope.ui.locks.LocksViewModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Breaking many stale locks with one confirmation, on real locks: each judged again, each audited. */
class BulkBreakTest {

    @TempDir
    Path dir;

    @Test
    void oneConfirmationBreaksTheStaleLocksSkipsAChangedOneAndLeavesHeldOnesAlone() throws Exception {
        long dead = LockFixtures.exitedPid();
        for (int i = 1; i <= 4; i++) {
            LockFixtures.deadLockOf(dir.resolve("dead-" + i + ".lock"), dead);
        }
        LockFixtures.expiredLock(dir.resolve("expired.lock"));
        LockFixtures.heldByThisProcess(dir.resolve("held.lock"));
        ScriptedDialogs dialogs = new ScriptedDialogs();
        LocksViewModel vm = new LocksViewModel(BackgroundIo.synchronous(), Runnable::run, dialogs,
                new SynchronousScannerSource());
        vm.open(dir);
        vm.selectedRows().setAll(vm.visibleRows());
        assertThat(vm.staleSelectedCountProperty().get()).isEqualTo(5);

        // After the table was read, dead-3 is broken by someone else and taken by a live owner.
        Files.delete(dir.resolve("dead-3.lock"));
        LockFixtures.heldByThisProcess(dir.resolve("dead-3.lock"));
        dialogs.bulkAnswers.add(true);
        vm.breakSelectedStale();

        var summary = dialogs.bulkQuestions.get(0);
        assertThat(summary.total()).isEqualTo(5);
        assertThat(summary.perState()).containsEntry("DEAD", 4).containsEntry("EXPIRED", 1);
        assertThat(summary.perReason().values()).contains(4);
        assertThat(summary.firstNames()).startsWith("dead-1.lock");
        assertThat(summary.leftAlone()).isEqualTo(1);
        assertThat(dialogs.breakQuestions).as("no dialog per lock").isEmpty();

        for (String gone : new String[] {"dead-1.lock", "dead-2.lock", "dead-4.lock", "expired.lock"}) {
            assertThat(Files.exists(dir.resolve(gone))).as(gone).isFalse();
        }
        assertThat(Files.exists(dir.resolve("dead-3.lock"))).as("the changed lock is kept").isTrue();
        assertThat(Files.exists(dir.resolve("held.lock"))).as("HELD is never broken in bulk").isTrue();
        try (Stream<Path> audit = Files.list(dir.resolve(LockFile.AUDIT_DIR))) {
            assertThat(audit.filter(p -> p.toString().endsWith(".json"))).as("one audit per break").hasSize(4);
        }
        assertThat(vm.actionMessageProperty().get()).contains("4 of 5 broken", "1 skipped", "dead-3.lock",
                "changed since it was judged");
        assertThat(vm.actionLevelProperty().get()).isEqualTo(MessageLevel.WARNING);
        assertThat(vm.bulkRunningProperty().get()).isFalse();
    }

    @Test
    void cancellingTheConfirmationTouchesNothing() throws Exception {
        long dead = LockFixtures.exitedPid();
        LockFixtures.deadLockOf(dir.resolve("a.lock"), dead);
        LockFixtures.deadLockOf(dir.resolve("b.lock"), dead);
        ScriptedDialogs dialogs = new ScriptedDialogs();
        LocksViewModel vm = new LocksViewModel(BackgroundIo.synchronous(), Runnable::run, dialogs,
                new SynchronousScannerSource());
        vm.open(dir);
        vm.selectedRows().setAll(vm.visibleRows());
        dialogs.bulkAnswers.add(false);
        vm.breakSelectedStale();
        assertThat(Files.exists(dir.resolve("a.lock"))).isTrue();
        assertThat(Files.exists(dir.resolve("b.lock"))).isTrue();
        assertThat(vm.actionMessageProperty().get()).contains("cancelled");
        assertThat(vm.allRows()).extracting(LockRowViewModel::name).contains("a.lock", "b.lock");
    }
}
