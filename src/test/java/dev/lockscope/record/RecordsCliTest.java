package dev.lockscope.record;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockFile;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lockscope records ...} as a real process: output, exit codes, and the edit conflict handling. */
@MultiProcess
class RecordsCliTest {

    @TempDir
    Path dir;

    private TestJvm.Result cli(Map<String, String> env, String... args) throws Exception {
        List<String> a = new ArrayList<>();
        a.add("records");
        a.addAll(List.of(args));
        return TestJvm.runCli(a, env, null, 120);
    }

    private TestJvm.Result cli(String... args) throws Exception {
        return cli(Map.of(), args);
    }

    @Test
    void putGetListDelete() throws Exception {
        Path f = dir.resolve("records.json");
        TestJvm.Result r = cli("list", f.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("does not exist yet");

        r = cli("put", f.toString(), "job-1", "{\"state\":\"done\",\"n\":1.10}");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("put 'job-1', generation 0 -> 1");

        r = cli("get", f.toString(), "job-1");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout().strip()).isEqualTo("{\"state\":\"done\",\"n\":1.10}");

        r = cli("get", f.toString(), "nope");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("no record 'nope'").contains(f.toString());

        r = cli("list", f.toString(), "--json");
        assertThat(r.exitCode()).isZero();
        var json = RecordFormat.mapper().readTree(r.stdout());
        assertThat(json.get("generation").asLong()).isEqualTo(1);
        assertThat(json.get("records").get("job-1").get("state").asText()).isEqualTo("done");

        r = cli("delete", f.toString(), "nope");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("nothing was written");

        r = cli("delete", f.toString(), "job-1");
        assertThat(r.exitCode()).isZero();
        assertThat(RecordStore.open(f).read().records()).isEmpty();
        assertThat(RecordStore.open(f).read().generation()).isEqualTo(2);
    }

    @Test
    void invalidJsonIsExit65AndWritesNothing() throws Exception {
        Path f = dir.resolve("records.json");
        RecordStore.open(f).put("a", IntNode.valueOf(1));
        byte[] before = Files.readAllBytes(f);
        TestJvm.Result r = cli("put", f.toString(), "b", "{\"unclosed\": [1, 2");
        assertThat(r.exitCode()).isEqualTo(65);
        assertThat(r.stderr()).contains("invalid JSON for record 'b'").contains("nothing was written");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        r = cli("put", f.toString(), "", "1");
        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.stderr()).contains("invalid record name");
    }

    @Test
    void corruptFileIsExit65AndUntouched() throws Exception {
        Path f = dir.resolve("records.json");
        Files.writeString(f, "{\"format\": \"somebody-else/3\"}");
        byte[] before = Files.readAllBytes(f);
        TestJvm.Result r = cli("list", f.toString());
        assertThat(r.exitCode()).isEqualTo(65);
        assertThat(r.stderr()).contains(f.toString()).contains("somebody-else/3");
        r = cli("put", f.toString(), "a", "1");
        assertThat(r.exitCode()).isEqualTo(65);
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
    }

    @Test
    void lockTimeoutIsExit75AndNamesTheHolder() throws Exception {
        Path f = dir.resolve("records.json");
        try (LockHandle held = LinkLock.of(LockFile.forResource(f), LockOptions.defaults().withPurpose("test holder"))
                .acquire(Duration.ofSeconds(5))) {
            TestJvm.Result r = cli("put", f.toString(), "a", "1", "--timeout", "400ms");
            assertThat(r.exitCode()).isEqualTo(75);
            assertThat(r.stderr()).contains("timed out").contains("pid " + ProcessHandle.current().pid());
            assertThat(held.state()).isEqualTo(LockHandle.State.HELD);
        }
        assertThat(Files.exists(f)).isFalse();
    }

    @Test
    void readOnlyDirectoryIsExit77() throws Exception {
        Path ro = Testbed.limits("ro");
        TestJvm.Result r = cli("put", ro.resolve("records.json").toString(), "a", "1");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(77);
        assertThat(r.stderr()).contains(ro.toString()).contains("Read-only file system");
    }

    /** An $EDITOR that first runs {@code before} (shell), then replaces the edited file with {@code text}. */
    private Map<String, String> editor(String before, String text) throws IOException {
        Path script = dir.resolve("editor-" + System.nanoTime() + ".sh");
        Path content = dir.resolve("content-" + System.nanoTime() + ".json");
        Files.writeString(content, text);
        Files.writeString(script, "#!/bin/sh\n" + before + "\ncp '" + content + "' \"$1\"\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return Map.of("EDITOR", script.toString(), "VISUAL", "");
    }

    /** The shell command line that runs the CLI, for an editor script that plays a concurrent writer. */
    private static String cliCommand(String... args) {
        List<String> cmd = new ArrayList<>(TestJvm.cli(List.of(args)).command());
        return cmd.stream().map(s -> "'" + s.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    @Test
    void editSavesThroughTheSavePath() throws Exception {
        Path f = dir.resolve("records.json");
        RecordStore.open(f).put("cfg", IntNode.valueOf(1));
        TestJvm.Result r = cli(editor("", "{\"edited\": true}"), "edit", f.toString(), "cfg");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(RecordStore.open(f).read().get("cfg").orElseThrow().get("edited").asBoolean()).isTrue();
        assertThat(RecordStore.open(f).read().generation()).isEqualTo(2);
    }

    @Test
    void editWithInvalidJsonKeepsTheTextAndWritesNothing() throws Exception {
        Path f = dir.resolve("records.json");
        RecordStore.open(f).put("cfg", IntNode.valueOf(1));
        TestJvm.Result r = cli(editor("", "{broken"), "edit", f.toString(), "cfg");
        assertThat(r.exitCode()).isEqualTo(65);
        assertThat(r.stderr()).contains("invalid JSON").contains("kept in");
        assertThat(RecordStore.open(f).read().generation()).isEqualTo(1);
    }

    @Test
    void editMergesWhenOnlyOtherRecordsChanged() throws Exception {
        Path f = dir.resolve("records.json");
        RecordStore.open(f).put("cfg", IntNode.valueOf(1));
        String concurrent = cliCommand("records", "put", f.toString(), "other", "7") + " >/dev/null";
        TestJvm.Result r = cli(editor(concurrent, "2"), "edit", f.toString(), "cfg");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("kept their change to 1 other record and merged your edit");
        RecordSnapshot s = RecordStore.open(f).read();
        assertThat(s.records()).containsOnlyKeys("cfg", "other");
        assertThat(s.get("cfg").orElseThrow().asInt()).isEqualTo(2);
        assertThat(s.generation()).isEqualTo(3);
    }

    @Test
    void editConflictOnTheSameRecordIsExit1UnlessForced() throws Exception {
        Path f = dir.resolve("records.json");
        RecordStore.open(f).put("cfg", IntNode.valueOf(1));
        String concurrent = cliCommand("records", "put", f.toString(), "cfg", "99") + " >/dev/null";
        TestJvm.Result r = cli(editor(concurrent, "2"), "edit", f.toString(), "cfg");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("conflict").contains("generation 1 -> 2").contains("kept in");
        assertThat(RecordStore.open(f).read().get("cfg").orElseThrow().asInt()).isEqualTo(99);

        String again = cliCommand("records", "put", f.toString(), "cfg", "100") + " >/dev/null";
        r = cli(editor(again, "3"), "edit", f.toString(), "cfg", "--force");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(RecordStore.open(f).read().get("cfg").orElseThrow().asInt()).isEqualTo(3);
    }

    /** The scenario: I edit job-2 while a script marks job-2 failed: a conflict, theirs kept, all three shown. */
    @Test
    void editOfJob2WhileAScriptPutsJob2IsAConflictShowingBaseMineAndTheirs() throws Exception {
        Path f = dir.resolve("records.json");
        RecordStore.open(f).put("job-2", TextNode.valueOf("running"));
        RecordStore.open(f).put("job-3", TextNode.valueOf("running"));
        String script = cliCommand("records", "put", f.toString(), "job-2", "\"failed\"") + " >/dev/null";
        TestJvm.Result r = cli(editor(script, "\"done\""), "edit", f.toString(), "job-2");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr()).contains("conflict: record 'job-2'").contains("nothing was saved")
                .contains("base:   \"running\"").contains("mine:   \"done\"").contains("theirs: \"failed\"");
        RecordSnapshot s = RecordStore.open(f).read();
        assertThat(s.get("job-2").orElseThrow().asText()).isEqualTo("failed");
        assertThat(s.generation()).isEqualTo(3);
    }

    /** The same, but the script changes job-3: both changes are kept and nobody is asked. */
    @Test
    void editOfJob2WhileAScriptPutsJob3KeepsBoth() throws Exception {
        Path f = dir.resolve("records.json");
        RecordStore.open(f).put("job-2", TextNode.valueOf("running"));
        RecordStore.open(f).put("job-3", TextNode.valueOf("running"));
        String script = cliCommand("records", "put", f.toString(), "job-3", "\"failed\"") + " >/dev/null";
        TestJvm.Result r = cli(editor(script, "\"done\""), "edit", f.toString(), "job-2");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        RecordSnapshot s = RecordStore.open(f).read();
        assertThat(s.get("job-2").orElseThrow().asText()).isEqualTo("done");
        assertThat(s.get("job-3").orElseThrow().asText()).isEqualTo("failed");
        assertThat(s.generation()).isEqualTo(4);
    }
}
