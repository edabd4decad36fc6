package dev.lockscope.ui;

import dev.lockscope.formats.ForeignSettings;
import dev.lockscope.formats.RealTools;
import dev.lockscope.lock.BreakResult;
import dev.lockscope.scan.EntryState;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.LockRowViewModel;
import dev.lockscope.ui.locks.LocksViewModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The inspector on other tools' locks made by the real tools: the tool column, each tool's rule, the break. */
@MultiProcess
class ForeignLocksViewModelTest {

    @TempDir
    Path dir;

    private final ScriptedDialogs dialogs = new ScriptedDialogs();
    private final List<BreakResult> results = new ArrayList<>();
    private LocksViewModel vm;
    private Path hg;
    private long hgPid;
    private int settingsSaved;

    @BeforeEach
    void setUp() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(RealTools.run(dir, "hg", "init", repo.toString())).isZero();
        RealTools.Holder h = RealTools.python(RealTools.HG_HOLDER, repo.toString(), "exit");
        assertThat(h.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        hgPid = h.pid();
        hg = repo.resolve(".hg");
        assertThat(RealTools.run(hg, "lockfile", "-r", "0", hg.resolve("mail.lock").toString())).isZero();
        Files.setLastModifiedTime(hg.resolve("mail.lock"), FileTime.fromMillis(System.currentTimeMillis() - 90_000));
        vm = new LocksViewModel(BackgroundIo.synchronous(), Runnable::run, dialogs, new SynchronousScannerSource());
        vm.setOnBreakFinished(results::add);
        vm.setOnSettingsChanged(() -> settingsSaved++);
        vm.open(hg);
    }

    @AfterEach
    void tearDown() {
        vm.close();
        ForeignSettings.setProcmailLocktimeout(hg, null);
    }

    private LockRowViewModel row(String name) {
        return vm.allRows().stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name + " in " + vm.allRows()));
    }

    @Test
    void showsEachToolsNameAndVerdictAndBreaksADeadMercurialLockAfterTheSameConfirmation() {
        LockRowViewModel w = row("wlock");
        assertThat(w.toolProperty().get()).isEqualTo("mercurial");
        assertThat(w.stateProperty().get()).isEqualTo(EntryState.DEAD);
        assertThat(w.pidProperty().get()).isEqualTo(hgPid);
        assertThat(row("mail.lock").toolProperty().get()).isEqualTo("procmail");

        vm.select("wlock");
        assertThat(vm.canBreakProperty().get()).isTrue();
        dialogs.breakAnswers.add(true);
        vm.breakSelected();
        assertThat(dialogs.breakQuestions).hasSize(1);
        assertThat(results).hasSize(1);
        assertThat(results.get(0).outcome()).as(results.get(0).message()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(results.get(0).auditFile()).exists();
        assertThat(Files.exists(hg.resolve("wlock"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(vm.allRows()).noneMatch(r -> r.name().equals("wlock"));
    }

    @Test
    void procmailIsAgeOnlyUntilTheOperatorSetsTheDirectorysLocktimeout() {
        vm.select("mail.lock");
        assertThat(row("mail.lock").stateProperty().get()).isEqualTo(EntryState.UNKNOWN);
        assertThat(vm.canBreakProperty().get()).isFalse();
        assertThat(vm.canForceBreakProperty().get()).isTrue();

        vm.procmailLocktimeoutTextProperty().set("60");
        vm.applyProcmailLocktimeout();
        assertThat(settingsSaved).isEqualTo(1);
        assertThat(row("mail.lock").stateProperty().get()).isEqualTo(EntryState.EXPIRED);
        vm.select("mail.lock");
        assertThat(vm.canBreakProperty().get()).isTrue();

        vm.procmailLocktimeoutTextProperty().set("soon");
        vm.applyProcmailLocktimeout();
        assertThat(vm.actionMessageProperty().get()).contains("not applied");
        assertThat(settingsSaved).isEqualTo(1);

        vm.procmailLocktimeoutTextProperty().set("");
        vm.applyProcmailLocktimeout();
        assertThat(row("mail.lock").stateProperty().get()).isEqualTo(EntryState.UNKNOWN);
    }

    @Test
    void anUnknownForeignLockIsOnlyForceBrokenAfterTheSecondConfirmation() {
        vm.select("mail.lock");
        dialogs.breakAnswers.add(true);
        dialogs.forceAnswers.add(false);
        vm.forceBreakSelected();
        assertThat(hg.resolve("mail.lock")).exists();
        assertThat(results).isEmpty();

        dialogs.breakAnswers.add(true);
        dialogs.forceAnswers.add(true);
        vm.forceBreakSelected();
        assertThat(results).hasSize(1);
        assertThat(results.get(0).outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        assertThat(hg.resolve("mail.lock")).doesNotExist();
    }
}
