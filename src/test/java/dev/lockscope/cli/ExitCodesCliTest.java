package dev.lockscope.cli;

import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Exit codes and messages that agree with what happened (issue 10, item 9), through real CLI processes. */
@MultiProcess
class ExitCodesCliTest {

    @TempDir
    Path dir;

    static TestJvm.Result cli(String... args) throws Exception {
        return TestJvm.runCli(List.of(args), Map.of(), null, 120);
    }

    @Test
    void aMissingDirectoryIsExit66NamingItNeverFreeOrNoRecord() throws Exception {
        Path missing = dir.resolve("no-such-dir");
        String lock = missing.resolve("job.lock").toString();
        String records = missing.resolve("records.json").toString();
        List<List<String>> commands = List.of(
                List.of("status", lock),
                List.of("status", "--json", lock),
                List.of("break", "--yes", lock),
                List.of("run", lock, "--", "true"),
                List.of("ls", missing.toString()),
                List.of("records", "get", records, "a"),
                List.of("records", "list", records),
                List.of("records", "put", records, "a", "1"),
                List.of("records", "delete", records, "a"));
        for (List<String> c : commands) {
            TestJvm.Result r = TestJvm.runCli(c, Map.of(), null, 120);
            assertThat(r.exitCode()).as(c + ": " + r.stdout() + r.stderr()).isEqualTo(ExitCodes.NO_INPUT);
            assertThat(r.stderr()).as(c.toString()).contains(missing.toString()).contains("does not exist");
            assertThat(r.stdout()).as(c.toString()).doesNotContain("FREE").doesNotContain("generation 0");
            assertThat(r.stderr()).as(c.toString()).doesNotContain("no record");
        }
        assertThat(Files.exists(missing)).isFalse();
    }

    @Test
    void anEmptyPathIsAUsageErrorNotADirectory() throws Exception {
        for (List<String> c : List.of(List.of("run", "", "--", "true"), List.of("status", ""),
                List.of("break", "--yes", ""), List.of("records", "get", "", "a"))) {
            TestJvm.Result r = TestJvm.runCli(c, Map.of(), null, 120);
            assertThat(r.exitCode()).as(c + r.stderr()).isEqualTo(ExitCodes.USAGE);
            assertThat(r.stderr()).as(c.toString()).contains("is empty").doesNotContain("is a directory");
        }
    }

    @Test
    void aFifoOrDirectoryInALocksPlaceIsNotALockFileAndHasNoHeartbeat() throws Exception {
        Path fifo = dir.resolve("fifo.lock");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        Files.createDirectory(dir.resolve("dir.lock"));

        TestJvm.Result status = cli("status", fifo.toString());
        assertThat(status.exitCode()).as(status.stderr()).isZero();
        assertThat(status.stdout()).contains("state:      UNKNOWN (not a lock file: a FIFO)")
                .doesNotContain("heartbeat").doesNotContain("content");

        TestJvm.Result brk = cli("break", "--yes", "--force", fifo.toString());
        assertThat(brk.exitCode()).as(brk.stdout() + brk.stderr()).isEqualTo(ExitCodes.NOTHING_DONE);
        assertThat(brk.stderr()).contains("not a lock file but a FIFO");
        assertThat(Files.exists(fifo)).isTrue();

        TestJvm.Result ls = cli("ls", "--all", dir.toString());
        assertThat(ls.exitCode()).as(ls.stderr()).isZero();
        // NAME STATE HOST PID USER AGE HEARTBEAT NLINK LEASE KIND: the HEARTBEAT column is "-" for both.
        assertThat(ls.stdout()).containsPattern("(?m)^fifo\\.lock\\s+NONE\\s+-\\s+-\\s+-\\s+-\\s+-\\s+1\\s+-\\s+SPECIAL$")
                .containsPattern("(?m)^dir\\.lock\\s+NONE\\s+-\\s+-\\s+-\\s+-\\s+-\\s+\\d+\\s+-\\s+DIRECTORY$");
    }

    /** Read-only is 77 for every command that writes, as permission denied is (it was 74 for run and break). */
    @Test
    void aReadOnlyFilesystemIsExit77ForRunAndRecordsAlike() throws Exception {
        Path ro = Testbed.limits("ro");
        TestJvm.Result run = cli("run", ro.resolve("job.lock").toString(), "--", "true");
        assertThat(run.exitCode()).as(run.stderr()).isEqualTo(ExitCodes.NO_PERMISSION);
        assertThat(run.stderr()).contains(ro.toString()).contains("Read-only file system");
        TestJvm.Result put = cli("records", "put", ro.resolve("records.json").toString(), "a", "1");
        assertThat(put.exitCode()).as(put.stderr()).isEqualTo(ExitCodes.NO_PERMISSION);
        assertThat(put.stderr()).contains(ro.toString()).contains("Read-only file system");
    }
}
