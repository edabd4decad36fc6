package dev.lockscope.ui;

import dev.lockscope.lock.HoldWorker;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.probe.AskHostsAllowList;
import dev.lockscope.probe.HostChecker;
import dev.lockscope.probe.SshSettings;
import dev.lockscope.probe.TestSshd;
import dev.lockscope.scan.EntryState;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.locks.LockRowViewModel;
import dev.lockscope.ui.locks.LocksViewModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inspector's "Check on host" and automatic check, against the real sshd of {@link TestSshd}: the answer
 * shows in the row and the details, and a DEAD answer makes the lock breakable, with the ssh evidence in the
 * break confirmation.
 */
@MultiProcess
class InspectorHostCheckTest {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private TestSshd sshd;

    @AfterEach
    void stop() throws Exception {
        started.forEach(Process::destroyForcibly);
        if (sshd != null) {
            sshd.close();
        }
    }

    private Process holder(Path lock) throws Exception {
        ProcessBuilder pb = TestJvm.builder(HoldWorker.class, List.of(lock.toString(), "600000"));
        pb.environment().put(HostIdentity.ENV_HOST_ID, TestSshd.HOST_B_ID);
        pb.environment().put(HostIdentity.ENV_HOSTNAME, "hostB");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        started.add(p);
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).startsWith("HELD ");
        return p;
    }

    private static LockRowViewModel row(LocksViewModel vm, String name) {
        return vm.allRows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void checkOnHostShowsTheAnswerAndADeadAnswerIsBrokenWithItsEvidence() throws Exception {
        sshd = TestSshd.startOrSkip();
        Process dead = holder(dir.resolve("dead.lock"));
        dead.destroyForcibly();
        assertThat(dead.waitFor(30, TimeUnit.SECONDS)).isTrue();
        holder(dir.resolve("live.lock"));

        ScriptedDialogs dialogs = new ScriptedDialogs();
        LocksViewModel vm = new LocksViewModel(BackgroundIo.synchronous(), Runnable::run, dialogs,
                new SynchronousScannerSource());
        vm.open(dir);
        assertThat(vm.select("dead.lock")).isTrue();
        assertThat(row(vm, "dead.lock").stateProperty().get()).isEqualTo(EntryState.HELD);
        assertThat(vm.canCheckOnHostProperty().get()).as("nothing can be asked before the settings are read").isFalse();

        HostChecker checker = new HostChecker(new SshSettings(sshd.recordingSsh.toString(), sshd.sshConfig,
                AskHostsAllowList.parse("hostB"), Duration.ofSeconds(60)), HostIdentity.current());
        vm.configureHostChecks(checker, null);
        assertThat(vm.canCheckOnHostProperty().get()).isTrue();
        assertThat(vm.canBreakProperty().get()).isFalse();
        assertThat(vm.detailsProperty().get()).contains("not asked yet");

        vm.checkSelectedOnHost();
        assertThat(row(vm, "dead.lock").stateProperty().get()).isEqualTo(EntryState.DEAD);
        assertThat(vm.detailsProperty().get()).contains("DEAD (checked on hostB over ssh)").contains("asked: ")
                .contains("lockscope probe");
        assertThat(vm.canBreakProperty().get()).isTrue();
        // A refresh re-reads the lock: the answer about this owner still applies.
        vm.refresh();
        assertThat(row(vm, "dead.lock").stateProperty().get()).isEqualTo(EntryState.DEAD);

        dialogs.breakAnswers.add(true);
        vm.breakSelected();
        assertThat(dialogs.breakQuestions).hasSize(1);
        assertThat(dialogs.breakQuestions.get(0).why()).contains("checked on hostB over ssh").contains("lockscope probe");
        assertThat(dialogs.breakQuestions.get(0).evidence().get("Owner process")).isEqualTo("gone");
        assertThat(dir.resolve("dead.lock")).doesNotExist();

        // The automatic check: HELD locks of allow-listed hosts older than the threshold are asked on refresh.
        assertThat(row(vm, "live.lock").entry().reason()).doesNotContain("confirmed alive");
        vm.configureHostChecks(checker, Duration.ofMillis(1));
        vm.refresh();
        assertThat(row(vm, "live.lock").entry().reason()).contains("HELD (confirmed alive on hostB)");
        assertThat(row(vm, "live.lock").stateProperty().get()).isEqualTo(EntryState.HELD);
        assertThat(sshd.recordedArgv()).hasSize(2);
    }
}
