package dev.lockscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which signal run keeps and which it passes on, phase by phase, with a real CMD and the terminal's answer given
 * by the test: the Ctrl-C race that RunSignalsCliTest met once in CI (a SIGINT between CMD's fork and run
 * knowing CMD's pid was passed on as a second SIGINT) made deterministic.
 */
class RunInterruptionsTest {

    private final StringWriter errText = new StringWriter();
    private final PrintWriter err = new PrintWriter(errText, true);
    private SupervisedCommand cmd;

    @AfterEach
    void killCmd() {
        if (cmd != null) {
            cmd.kill();
            cmd.awaitExit();
        }
    }

    private RunInterruptions interruptions(boolean inForegroundOfTerminal) {
        return new RunInterruptions(Thread.currentThread(), true, err, () -> inForegroundOfTerminal);
    }

    private SupervisedCommand startSleeper() throws Exception {
        cmd = SupervisedCommand.start(new ProcessBuilder(List.of("sleep", "30")), Duration.ofSeconds(5), err);
        return cmd;
    }

    @Test
    void aTerminalCtrlCWhileCmdIsBeingStartedIsLeftToCmd() throws Exception {
        RunInterruptions r = interruptions(true);
        r.starting();
        r.received("INT", 2); // CMD forked, its pid not yet handed to run
        r.running(startSleeper());
        assertThat(cmd.stopRequested()).as("CMD asked to stop by run").isFalse();
        assertThat(r.signal()).as("the signal run keeps for itself").isNull();
        assertThat(errText.toString()).doesNotContain("passing it");
    }

    @Test
    void aTerminalCtrlCWhileCmdRunsIsLeftToCmd() throws Exception {
        RunInterruptions r = interruptions(true);
        r.starting();
        r.running(startSleeper());
        r.received("INT", 2);
        assertThat(cmd.stopRequested()).isFalse();
        assertThat(r.signal()).isNull();
    }

    @Test
    void aSigintFromElsewhereWhileCmdIsBeingStartedIsPassedOnOnceCmdRuns() throws Exception {
        RunInterruptions r = interruptions(false);
        r.starting();
        r.received("INT", 2);
        r.running(startSleeper());
        assertThat(cmd.stopRequested()).isTrue();
        assertThat(r.signal()).isEqualTo("INT");
        assertThat(r.signalExitCode()).isEqualTo(130);
        assertThat(errText.toString()).contains("got SIGINT: passing it to pid " + cmd.pid());
    }

    @Test
    void aTerminalCtrlCAfterTheLockIsTakenButBeforeCmdStartsStopsTheRun() {
        RunInterruptions r = interruptions(true);
        r.waiting(false);
        r.received("INT", 2);
        assertThat(r.signal()).as("CMD is not to be started").isEqualTo("INT");
        assertThat(r.signalExitCode()).isEqualTo(130);
    }

    @Test
    void sigtermWhileCmdRunsIsPassedOnEvenFromATerminal() throws Exception {
        RunInterruptions r = interruptions(true);
        r.starting();
        r.running(startSleeper());
        r.received("TERM", 15);
        assertThat(cmd.stopRequested()).isTrue();
        assertThat(r.signalExitCode()).isEqualTo(143);
    }
}
