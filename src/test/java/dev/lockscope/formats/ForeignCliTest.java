package dev.lockscope.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lockscope ls --json}, {@code status} and {@code break} on locks made by the real tools, as a real CLI process. */
@MultiProcess
class ForeignCliTest {

    @TempDir
    Path dir;

    private static TestJvm.Result cli(String stdin, String... args) throws Exception {
        return TestJvm.runCli(List.of(args), Map.of(), stdin, 120);
    }

    private static JsonNode find(JsonNode arr, String name) {
        for (JsonNode n : arr) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no entry " + name + " in " + arr);
    }

    @Test
    void lsJsonNamesEachLocksFormatAndVerdictAndStatusAndBreakWorkOnAMercurialLock() throws Exception {
        Path repo = dir.resolve("repo");
        assertThat(RealTools.run(dir, "hg", "init", repo.toString())).isZero();
        RealTools.Holder h = RealTools.python(RealTools.HG_HOLDER, repo.toString(), "exit");
        assertThat(h.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Path hgDir = repo.resolve(".hg");
        assertThat(RealTools.run(hgDir, "lockfile", "-r", "0", hgDir.resolve("mail.lock").toString())).isZero();

        TestJvm.Result ls = cli(null, "ls", "--json", "--locktimeout", "1h", hgDir.toString());
        assertThat(ls.exitCode()).as(ls.stderr()).isZero();
        JsonNode arr = new ObjectMapper().readTree(ls.stdout());
        JsonNode wlock = find(arr, "wlock");
        assertThat(wlock.get("format").asText()).isEqualTo("mercurial");
        assertThat(wlock.get("verdict").asText()).isEqualTo("DEAD");
        assertThat(wlock.get("reason").asText()).contains("Mercurial holder pid " + h.pid() + " no longer exists");
        JsonNode mail = find(arr, "mail.lock");
        assertThat(mail.get("format").asText()).isEqualTo("procmail");
        assertThat(mail.get("verdict").asText()).isEqualTo("HELD");
        assertThat(mail.get("reason").asText()).contains("locktimeout of 60 min");

        TestJvm.Result status = cli(null, "status", "--json", hgDir.resolve("wlock").toString());
        assertThat(status.exitCode()).as(status.stderr()).isZero();
        JsonNode s = new ObjectMapper().readTree(status.stdout());
        assertThat(s.get("format").asText()).isEqualTo("mercurial");
        assertThat(s.get("state").asText()).isEqualTo("DEAD");

        TestJvm.Result br = cli("y\n", "break", hgDir.resolve("wlock").toString());
        assertThat(br.exitCode()).as(br.stdout() + br.stderr()).isZero();
        assertThat(br.stdout()).contains("format:     mercurial").contains("broke lock");
        assertThat(Files.exists(hgDir.resolve("wlock"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();

        // procmail without a locktimeout: age only, so a plain break is refused and --force asks once more.
        TestJvm.Result refused = cli(null, "break", "--yes", hgDir.resolve("mail.lock").toString());
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.stdout()).contains("age only");
        TestJvm.Result forced = cli("y\n", "break", "--force", hgDir.resolve("mail.lock").toString());
        assertThat(forced.exitCode()).as(forced.stdout() + forced.stderr()).isZero();
        assertThat(forced.stdout()).contains("Force the break?");
        assertThat(hgDir.resolve("mail.lock")).doesNotExist();
    }
}
