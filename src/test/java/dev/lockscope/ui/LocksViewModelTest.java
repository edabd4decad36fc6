package dev.lockscope.ui;

import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockState;
import dev.lockscope.scan.EntryKind;
import dev.lockscope.scan.EntryState;
import dev.lockscope.testing.ManualLockClock;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.LockActions;
import dev.lockscope.ui.locks.LockRowViewModel;
import dev.lockscope.ui.locks.LocksViewModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The lock table's rules, on a real directory with real holders, without a robot. */
class LocksViewModelTest {

    @TempDir
    Path dir;

    private final ScriptedDialogs dialogs = new ScriptedDialogs();
    private final List<Process> holders = new ArrayList<>();
    private LocksViewModel vm;
    /** The clock the view model ages rows on: a second passes when a test says so. */
    private final ManualLockClock clock = new ManualLockClock();
    private final List<BreakResult> results = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        LockFixtures.deadLock(dir.resolve("dead.lock"));
        LockFixtures.expiredLock(dir.resolve("expired.lock"));
        holders.add(LockFixtures.holder(dir.resolve("held.lock")));
        Files.writeString(dir.resolve("notes.txt"), "not a lock");
        vm = new LocksViewModel(BackgroundIo.synchronous(), Runnable::run, dialogs, new SynchronousScannerSource(),
                LockActions.linkLocks(), clock);
        vm.setOnBreakFinished(results::add);
        vm.open(dir);
    }

    @AfterEach
    void tearDown() {
        vm.close();
        holders.forEach(Process::destroyForcibly);
    }

    private LockRowViewModel row(String name) {
        return vm.allRows().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name + " in " + vm.allRows()));
    }

    @Test
    void mapsEveryStateToItsBadgeAndCounts() {
        assertThat(row("dead.lock").stateProperty().get()).isEqualTo(EntryState.DEAD);
        assertThat(row("dead.lock").badgeStyleClass()).isEqualTo("badge-dead");
        assertThat(row("expired.lock").stateProperty().get()).isEqualTo(EntryState.EXPIRED);
        assertThat(row("expired.lock").badgeStyleClass()).isEqualTo("badge-expired");
        assertThat(row("expired.lock").hostProperty().get()).isEqualTo("far-host");
        assertThat(row("expired.lock").pidProperty().get()).isEqualTo(777);
        assertThat(row("held.lock").stateProperty().get()).isEqualTo(EntryState.HELD);
        assertThat(row("held.lock").stateTextProperty().get()).isEqualTo("HELD");
        assertThat(row("held.lock").nlinkProperty().get()).isEqualTo(2);
        assertThat(row("held.lock").inodeProperty().get()).isPositive();
        assertThat(row("held.lock").leaseMillisProperty().get()).isEqualTo(15_000);
        assertThat(row("notes.txt").badgeStyleClass()).isEqualTo("badge-none");
        assertThat(vm.countsTextProperty().get()).contains("HELD 1", "EXPIRED 1", "DEAD 1");
        assertThat(vm.skewTextProperty().get()).startsWith("server clock skew");
        assertThat(vm.errorMessageProperty().get()).isEmpty();
    }

    @Test
    void showAllEntriesRevealsClaimsAndOtherFiles() {
        assertThat(vm.visibleRows()).extracting(LockRowViewModel::name)
                .containsExactlyInAnyOrder("dead.lock", "expired.lock", "held.lock");
        vm.showAllEntriesProperty().set(true);
        assertThat(vm.visibleRows()).extracting(LockRowViewModel::name).contains("notes.txt");
        assertThat(vm.visibleRows()).anySatisfy(r -> assertThat(r.kindProperty().get()).isEqualTo(EntryKind.CLAIM));
        vm.filterTextProperty().set("far-host");
        assertThat(vm.visibleRows()).extracting(LockRowViewModel::name)
                .containsExactlyInAnyOrder("expired.lock", ".expired.lock.far-host.777.0123456789abcdef0123456789abcdef");
        vm.showAllEntriesProperty().set(false);
        assertThat(vm.visibleRows()).extracting(LockRowViewModel::name).containsExactly("expired.lock");
    }

    @Test
    void breakIsEnabledOnlyForStaleLocksAndForceOnlyForHeldOnes() {
        assertThat(vm.canBreakProperty().get()).isFalse();
        vm.select("dead.lock");
        assertThat(vm.canBreakProperty().get()).isTrue();
        assertThat(vm.canForceBreakProperty().get()).isFalse();
        vm.select("expired.lock");
        assertThat(vm.canBreakProperty().get()).isTrue();
        vm.select("held.lock");
        assertThat(vm.canBreakProperty().get()).isFalse();
        assertThat(vm.canForceBreakProperty().get()).isTrue();
        vm.showAllEntriesProperty().set(true);
        vm.select("notes.txt");
        assertThat(vm.canBreakProperty().get()).isFalse();
        assertThat(vm.canForceBreakProperty().get()).isFalse();
        // Break on a held lock asks nothing and does nothing.
        vm.select("held.lock");
        vm.breakSelected();
        assertThat(dialogs.breakQuestions).isEmpty();
        assertThat(Files.exists(dir.resolve("held.lock"))).isTrue();
    }

    @Test
    void cancelledBreakLeavesTheLock() {
        vm.select("dead.lock");
        dialogs.breakAnswers.add(false);
        vm.breakSelected();
        assertThat(dialogs.breakQuestions).hasSize(1);
        assertThat(Files.exists(dir.resolve("dead.lock"))).isTrue();
        assertThat(vm.actionMessageProperty().get()).contains("cancelled", "dead.lock");
        assertThat(results).isEmpty();
    }

    @Test
    void confirmedBreakRemovesTheDeadLockAndWritesAnAuditRecord() throws IOException {
        vm.select("dead.lock");
        dialogs.breakAnswers.add(true);
        vm.breakSelected();
        var c = dialogs.breakQuestions.get(0);
        assertThat(c.state()).isEqualTo(LockState.DEAD);
        assertThat(c.holder()).contains("pid");
        assertThat(c.why()).contains("no longer exists");
        assertThat(c.evidence()).containsKeys("Inode", "Token", "Link count", "Last heartbeat");
        assertThat(c.force()).isFalse();
        assertThat(Files.exists(dir.resolve("dead.lock"))).isFalse();
        assertThat(results).singleElement().satisfies(r -> assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN));
        assertThat(vm.actionMessageProperty().get()).startsWith("BROKEN").contains("Audit record");
        try (Stream<Path> audit = Files.list(dir.resolve(LockFile.AUDIT_DIR))) {
            assertThat(audit.filter(p -> p.toString().endsWith(".json"))).hasSize(1);
        }
        // The refresh after the break dropped the row.
        assertThat(vm.allRows()).extracting(LockRowViewModel::name).doesNotContain("dead.lock");
        assertThat(vm.selectedProperty().get()).isNull();
    }

    @Test
    void forcingAHeldLockNeedsTheSecondConfirmation() {
        vm.select("held.lock");
        dialogs.breakAnswers.add(true);
        dialogs.forceAnswers.add(false);
        vm.forceBreakSelected();
        assertThat(dialogs.forceQuestions).hasSize(1);
        assertThat(dialogs.forceQuestions.get(0).force()).isTrue();
        assertThat(Files.exists(dir.resolve("held.lock"))).isTrue();

        dialogs.breakAnswers.add(true);
        dialogs.forceAnswers.add(true);
        vm.forceBreakSelected();
        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
            assertThat(r.judged().state()).isEqualTo(LockState.HELD);
        });
        assertThat(Files.exists(dir.resolve("held.lock"))).isFalse();
    }

    @Test
    void aLockReplacedAfterItWasJudgedIsNotBroken() throws Exception {
        vm.select("dead.lock");
        // Someone else breaks the dead lock and a live process takes it, after the table was read.
        Files.delete(dir.resolve("dead.lock"));
        holders.add(LockFixtures.holder(dir.resolve("dead.lock")));
        dialogs.breakAnswers.add(true);
        vm.breakSelected();
        assertThat(results).singleElement().satisfies(r ->
                assertThat(r.outcome()).isIn(BreakResult.Outcome.CHANGED, BreakResult.Outcome.RESTORED));
        assertThat(Files.exists(dir.resolve("dead.lock"))).isTrue();
        assertThat(row("dead.lock").stateProperty().get()).isEqualTo(EntryState.HELD);
    }

    @Test
    void agesTickBetweenRefreshes() {
        long before = row("held.lock").lockAgeMillisProperty().get();
        clock.advance(Duration.ofMillis(1100));
        vm.tick();
        assertThat(row("held.lock").lockAgeMillisProperty().get()).isGreaterThanOrEqualTo(before + 1000);
    }

    @Test
    void detailsShowOwnerEvidenceAndBoundedRawBytes() {
        vm.select("expired.lock");
        assertThat(vm.detailsProperty().get()).contains("Path: " + dir.resolve("expired.lock"),
                "Owner: ops@far-host pid 777", "host id far-host-id", "Evidence", "inode");
        assertThat(vm.rawBytesProperty().get()).contains("\"token\":\"0123456789abcdef0123456789abcdef\"")
                .startsWith("(first 768 of 768 bytes");
    }

    @Test
    void aMissingDirectoryIsReportedByPath() {
        Path gone = dir.resolve("no-such-dir");
        vm.open(gone);
        assertThat(vm.errorMessageProperty().get()).contains(gone.toString());
        assertThat(vm.allRows()).isEmpty();
    }
}
