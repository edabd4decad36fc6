package dev.lockscope.ui;

import dev.lockscope.scan.EntryState;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.MessageLevel;
import dev.lockscope.ui.locks.LockRowViewModel;
import dev.lockscope.ui.locks.LocksViewModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What an operator reads and does in the lock table, on real locks, without a robot. */
class LocksOperatorTest {

    @TempDir
    Path dir;

    private final ScriptedDialogs dialogs = new ScriptedDialogs();
    private LocksViewModel vm;

    @BeforeEach
    void setUp() throws Exception {
        long dead = LockFixtures.exitedPid();
        LockFixtures.deadLockOf(dir.resolve("dead-1.lock"), dead);
        LockFixtures.deadLockOf(dir.resolve("dead-2.lock"), dead);
        LockFixtures.expiredLock(dir.resolve("expired.lock"));
        LockFixtures.heldByThisProcess(dir.resolve("held.lock"));
        Files.writeString(dir.resolve("git.lock"), ""); // a foreign (git) lock: empty file
        vm = new LocksViewModel(BackgroundIo.synchronous(), Runnable::run, dialogs, new SynchronousScannerSource());
        vm.open(dir);
    }

    private LockRowViewModel row(String name) {
        return vm.allRows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void deleteOnAHeldLockSaysWhyNothingHappenedAndPointsToForceBreak() {
        vm.select("held.lock");
        vm.breakSelected(); // what Delete does
        assertThat(dialogs.breakQuestions).isEmpty();
        assertThat(Files.exists(dir.resolve("held.lock"))).isTrue();
        assertThat(vm.actionMessageProperty().get()).contains("Nothing was done", "held.lock", "HELD",
                "only removes stale locks", "Force break");
        assertThat(vm.actionLevelProperty().get()).isEqualTo(MessageLevel.WARNING);
    }

    @Test
    void quickStateFilterAndFindSayHowManyAreShownAndEscClearsThem() {
        assertThat(vm.shownTextProperty().get()).isEqualTo("5 entries");
        vm.stateFilterProperty().set(EntryState.DEAD);
        assertThat(vm.visibleRows()).extracting(LockRowViewModel::name).containsExactlyInAnyOrder("dead-1.lock",
                "dead-2.lock");
        assertThat(vm.shownTextProperty().get()).isEqualTo("2 of 5 shown");
        vm.filterTextProperty().set("dead-2");
        assertThat(vm.shownTextProperty().get()).isEqualTo("1 of 5 shown");
        vm.clearFilter();
        assertThat(vm.stateFilterProperty().get()).isNull();
        assertThat(vm.shownTextProperty().get()).isEqualTo("5 entries");
    }

    @Test
    void purposeOwnerAndCopyTextsAreWhatOperatorsPaste() {
        assertThat(row("expired.lock").purposeProperty().get()).isEqualTo("expired in a test");
        assertThat(LocksViewModel.ownerOf(row("expired.lock"))).isEqualTo("ops@far-host pid 777");
        vm.select("expired.lock");
        vm.selectedRows().setAll(row("expired.lock"));
        assertThat(vm.pathOf(row("expired.lock"))).isEqualTo(dir.resolve("expired.lock").toString());
        assertThat(vm.selectedRowsText()).startsWith("expired.lock\tEXPIRED\tops@far-host pid 777\texpired in a test\t")
                .endsWith(dir.resolve("expired.lock") + "\n");
    }

    @Test
    void detailsAreHumanTextWithLocalTimesAndNoDeveloperOutput() {
        vm.select("expired.lock");
        String d = vm.detailsProperty().get();
        assertThat(d).contains("Owner: ops@far-host pid 777", "purpose: expired in a test", "acquired ",
                "(owner's clock)", "lease 30.0s");
        assertThat(d).doesNotContainPattern("(?<![\\d-])1\\d{12}(?!\\d)").doesNotContain("\"token\""); // no epoch millis
        assertThat(d).containsPattern("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+"); // local time with its zone
        vm.select("git.lock");
        String g = vm.detailsProperty().get();
        assertThat(g).doesNotContain("ForeignLock[").doesNotContain("pid=-1").doesNotContain("host=null");
    }
}
