package dev.lockscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The picocli-free path for {@code lockscope run} reads arguments exactly as picocli does, or declines. */
class RunFastPathTest {

    @TempDir
    Path dir;

    private RunCommand picocli(String... args) {
        RunCommand c = new RunCommand();
        new CommandLine(c).parseArgs(Arrays.copyOfRange(args, 1, args.length));
        return c;
    }

    private void same(String... args) {
        RunCommand fast = RunFastPath.parse(args);
        RunCommand slow = picocli(args);
        assertThat(fast).as(String.join(" ", args)).isNotNull();
        assertThat(fast.timeout).isEqualTo(slow.timeout);
        assertThat(fast.lease).isEqualTo(slow.lease);
        assertThat(fast.purpose).isEqualTo(slow.purpose);
        assertThat(fast.noBreakStale).isEqualTo(slow.noBreakStale);
        assertThat(fast.grace).isEqualTo(slow.grace);
        assertThat(fast.keepRunningOnLoss).isEqualTo(slow.keepRunningOnLoss);
        assertThat(fast.lockFile).isEqualTo(slow.lockFile);
        assertThat(fast.command).isEqualTo(slow.command);
    }

    @Test
    void plainShapesParseAsPicocliParsesThem() {
        String l = dir.resolve("r.lock").toString();
        same("run", l, "--", "true");
        same("run", l, "--", "sh", "-c", "echo -l -t --lease");
        same("run", "-t", "500ms", l, "--", "true");
        same("run", "--timeout", "2m", "--lease", "45s", l, "--", "make", "-j4");
        same("run", "--timeout=10", "--lease=900ms", "--purpose=nightly build", l, "--", "x");
        same("run", "-p", "p", "--no-break-stale", "-l", "1.5s", l, "--", "cmd", "--");
        same("run", "--grace", "2s", "--keep-running-on-loss", l, "--", "true");
        same("run", "-g", "500ms", l, "--", "true");
        same("run", "--grace=3", "--keep-running-on-loss", "-t", "1s", l, "--", "true");
    }

    @Test
    void anythingElseIsLeftToPicocli() {
        String l = dir.resolve("r.lock").toString();
        for (List<String> a : List.of(
                List.of("run", l, "true"),                       // no "--": picocli decides what -x means
                List.of("run", "--help"),
                List.of("run", "-h", l, "--", "true"),
                List.of("run", "-t5s", l, "--", "true"),         // clustered short option
                List.of("run", "--timeout", "soon", l, "--", "true"),
                List.of("run", "--frobnicate", l, "--", "true"),
                List.of("run", "-t", l, "--"),
                List.of("run", l, "--"),
                List.of("run", dir.toString(), "--", "true"),    // a directory: picocli's usage error
                List.of("status", l, "--", "true"))) {
            assertThat(RunFastPath.parse(a.toArray(String[]::new))).as(String.join(" ", a)).isNull();
        }
    }
}
