package dev.lockscope.cli;

import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The record file, its group-commit intents and its save temp files are data, not locks: one tab-completion slip
 * ({@code records.json} for {@code records.json.lock}) and {@code break --force --yes} deleted every record.
 * Through real CLI processes.
 */
@MultiProcess
class RecordFilesAreNotLocksCliTest {

    @TempDir
    Path dir;

    static TestJvm.Result cli(String... args) throws Exception {
        return TestJvm.runCli(List.of(args), Map.of(), null, 120);
    }

    @Test
    void theRecordFileIsNeverBrokenAndStatusSaysWhatItIs() throws Exception {
        Path records = dir.resolve("records.json");
        assertThat(cli("records", "put", records.toString(), "a", "1").exitCode()).isZero();
        byte[] before = Files.readAllBytes(records);

        TestJvm.Result brk = cli("break", "--force", "--yes", records.toString());
        assertThat(brk.exitCode()).as(brk.stdout() + brk.stderr()).isEqualTo(ExitCodes.NOTHING_DONE);
        assertThat(brk.stderr()).contains("is not a lock file but the record file records.json (its lock is"
                + " records.json.lock): lockscope never breaks it");
        assertThat(Files.readAllBytes(records)).isEqualTo(before);
        TestJvm.Result get = cli("records", "get", records.toString(), "a");
        assertThat(get.exitCode()).as(get.stderr()).isZero();
        assertThat(get.stdout().trim()).isEqualTo("1");

        TestJvm.Result status = cli("status", records.toString());
        assertThat(status.exitCode()).as(status.stderr()).isZero();
        assertThat(status.stdout()).contains("state:      UNKNOWN (not a lock file: the record file records.json"
                + " (its lock is records.json.lock))");

        TestJvm.Result run = cli("run", "--timeout", "2s", records.toString(), "--", "true");
        assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.stderr()).contains("is not a lock file but the record file records.json");
        assertThat(Files.readAllBytes(records)).isEqualTo(before);
    }

    @Test
    void intentsAndTempFilesAreNeverBroken() throws Exception {
        Path intent = dir.resolve(".records.json.intent.0123456789abcdef.7");
        Path taken = dir.resolve(".records.json.taken.0123456789abcdef.6");
        Path temp = dir.resolve(".records.json.tmp.host.42.00ff");
        for (Path p : List.of(intent, taken, temp)) {
            Files.writeString(p, "{\"a\":1}", StandardCharsets.UTF_8);
        }
        for (Path p : List.of(intent, taken, temp)) {
            TestJvm.Result brk = cli("break", "--force", "--yes", p.toString());
            assertThat(brk.exitCode()).as(p + ": " + brk.stdout() + brk.stderr()).isEqualTo(ExitCodes.NOTHING_DONE);
            assertThat(brk.stderr()).as(p.toString()).contains("lockscope never breaks it");
            assertThat(p).as("still there").exists();
        }
        assertThat(cli("status", intent.toString()).stdout()).contains("UNKNOWN (not a lock file: a group-commit"
                + " intent of the record file records.json, waiting for a holder of its lock)");
        assertThat(cli("status", taken.toString()).stdout()).contains("taken by a holder of its lock");
        assertThat(cli("status", temp.toString()).stdout())
                .contains("not a lock file: the temp file of a save of the record file records.json");
    }

    /** The rule is narrow: a lock of unknown content that merely mentions the record format is still a lock. */
    @Test
    void aLockOfUnknownContentIsStillBrokenWithForce() throws Exception {
        Path lock = dir.resolve("job.lock");
        Files.writeString(lock, "{\"note\" : \"format: lockscope-records/1\"}", StandardCharsets.UTF_8);
        TestJvm.Result brk = cli("break", "--force", "--yes", lock.toString());
        assertThat(brk.exitCode()).as(brk.stdout() + brk.stderr()).isZero();
        assertThat(lock).doesNotExist();
    }
}
