package dev.lockscope.probe;

import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.testing.MultiProcess;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The strict readers of a host's answer: the probe's JSON and the cat fallback's lines. */
class ProbeParsingTest {
    private static final String BOOT = "455e402e-3d8a-426a-8fb4-e3ca2b8ce021";
    private static final String MACHINE = "3d1219c7c4c5404aaa1f6d2a48adfda4";
    private static final String NS = "pid:[4026531836]";
    private static final String STAT_TAIL = " S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 5357568 1030 "
            + "18446744073709551615 1 1 0 0 0 0 65536 4 1132560123 1 0 0 17 1 0 0 0 0 0 1 1 1 1 1 1 1 0\n";

    private static String fallback(String stat) {
        return stat + BOOT + "\n" + MACHINE + "\n" + NS + "\n" + "1000\n0\n";
    }

    @Test
    void theProbeOfALiveProcessRoundTrips() {
        long me = ProcessHandle.current().pid();
        ProbeReport r = ProbeReport.ofThisHost(me, HostIdentity.current(), ProcessTable.SYSTEM);
        assertThat(r.alive()).isTrue();
        assertThat(r.startTicks()).isEqualTo(ProcessTable.readStartTicks(me).orElseThrow());
        assertThat(ProbeReport.parseJson(r.toJson() + "\n", me)).isEqualTo(r);
    }

    @Property(tries = 200)
    void anyHostIdTheProbeWritesIsReadBackOrRejectedNeverMisread(@ForAll @StringLength(min = 1, max = 40) String id) {
        ProbeReport r = new ProbeReport(7, false, id, BOOT, NS, null, null, "h", ProbeReport.SOURCE_PROBE, false);
        try {
            assertThat(ProbeReport.parseJson(r.toJson(), 7).hostId()).isEqualTo(id);
        } catch (IllegalArgumentException rejected) {
            assertThat(rejected.getMessage()).contains("hostId");
        }
    }

    @Test
    @MultiProcess
    void theProbeCommandPrintsOneLineOfJsonAndTakesOnlyANumber() throws Exception {
        long me = ProcessHandle.current().pid();
        var r = dev.lockscope.testing.TestJvm.runCli(java.util.List.of("probe", Long.toString(me)),
                java.util.Map.of(HostIdentity.ENV_HOST_ID, "probe-test-id"), "", 60);
        assertThat(r.exitCode()).isZero();
        ProbeReport p = ProbeReport.parseJson(r.stdout(), me);
        assertThat(p.alive()).isTrue();
        assertThat(p.hostId()).isEqualTo("probe-test-id");
        assertThat(p.startTicks()).isEqualTo(ProcessTable.readStartTicks(me).orElseThrow());
        for (String bad : java.util.List.of("abc", "-1", "0", "1;id", "/etc/passwd", "99999999999")) {
            var b = dev.lockscope.testing.TestJvm.runCli(java.util.List.of("probe", bad), java.util.Map.of(), "", 60);
            assertThat(b.exitCode()).as(bad).isEqualTo(64);
            assertThat(b.stdout()).isEmpty();
        }
    }

    @Test
    void theProbeAnswerIsReadStrictly() {
        String ok = new ProbeReport(7, true, MACHINE, BOOT, NS, 5L, 6L, "h", ProbeReport.SOURCE_PROBE, false).toJson();
        assertThat(ProbeReport.parseJson(ok, 7).startTicks()).isEqualTo(5L);
        assertThatThrownBy(() -> ProbeReport.parseJson(ok, 8)).hasMessageContaining("not about pid 8");
        assertThatThrownBy(() -> ProbeReport.parseJson("Welcome to hostB!\n" + ok, 7)).hasMessageContaining("several lines");
        assertThatThrownBy(() -> ProbeReport.parseJson(ok.replace("}", ",\"extra\":1}"), 7)).hasMessageContaining("unexpected field");
        assertThatThrownBy(() -> ProbeReport.parseJson(ok.replace(BOOT, "x y"), 7)).hasMessageContaining("bootId");
        assertThatThrownBy(() -> ProbeReport.parseJson(ok.replace("\"alive\":true", "\"alive\":\"yes\""), 7))
                .hasMessageContaining("alive");
        assertThatThrownBy(() -> ProbeReport.parseJson(ok.replace("\"startTicks\":5", "\"startTicks\":-5"), 7))
                .hasMessageContaining("startTicks");
        assertThatThrownBy(() -> ProbeReport.parseJson("", 7)).hasMessageContaining("nothing");
    }

    @Test
    void theFallbackOfThisVeryProcessIsReadLikeTheProbe() throws Exception {
        long me = ProcessHandle.current().pid();
        String text = Files.readString(Path.of("/proc/" + me + "/stat"))
                + Files.readString(Path.of("/proc/sys/kernel/random/boot_id"))
                + Files.readString(Path.of("/etc/machine-id"))
                + Files.readSymbolicLink(Path.of("/proc/self/ns/pid")) + "\n0\n0\n";
        ProbeReport r = FallbackProbe.parse(text, me);
        ProbeReport probe = ProbeReport.ofThisHost(me, HostIdentity.current(), ProcessTable.SYSTEM);
        assertThat(r.alive()).isTrue();
        assertThat(r.startTicks()).isEqualTo(probe.startTicks());
        assertThat(r.bootId()).isEqualTo(probe.bootId());
        assertThat(r.pidNamespace()).isEqualTo(probe.pidNamespace());
    }

    @Test
    void theFallbackReadsHostileCommandNamesAndGonePids() {
        // A command name may hold spaces, parentheses and newlines: the stat line is read from its last ')'.
        ProbeReport r = FallbackProbe.parse(fallback("4242 (a) b\n" + BOOT + "\n(x)" + STAT_TAIL), 4242);
        assertThat(r.alive()).isTrue();
        assertThat(r.startTicks()).isEqualTo(98765L);
        // Gone: cat prints nothing for the missing stat file.
        ProbeReport gone = FallbackProbe.parse(fallback(""), 4242);
        assertThat(gone.alive()).isFalse();
        assertThat(gone.hostId()).isEqualTo(MACHINE);
        // A zombie runs no code: not alive.
        assertThat(FallbackProbe.parse(fallback("4242 (java)" + STAT_TAIL.replace(" S ", " Z ")), 4242).alive()).isFalse();
    }

    @Test
    void anythingButExactlyTheFallbackOutputIsRejected() {
        String good = fallback("4242 (java)" + STAT_TAIL);
        assertThat(FallbackProbe.parse(good, 4242).alive()).isTrue();
        // Another pid's stat, a login banner, a missing machine id, a missing readlink, no final newline.
        assertThatThrownBy(() -> FallbackProbe.parse(fallback("4243 (java)" + STAT_TAIL), 4242)).hasMessageContaining("not about pid");
        assertThatThrownBy(() -> FallbackProbe.parse("Welcome!\n" + fallback(""), 4242)).hasMessageContaining("stat line");
        assertThatThrownBy(() -> FallbackProbe.parse("4242 (java)" + STAT_TAIL + BOOT + "\n" + NS + "\n0\n0\n", 4242))
                .hasMessageContaining("machine id");
        assertThatThrownBy(() -> FallbackProbe.parse("4242 (java)" + STAT_TAIL + BOOT + "\n" + MACHINE + "\n0\n0\n", 4242))
                .hasMessageContaining("pid namespace");
        assertThatThrownBy(() -> FallbackProbe.parse(fallback("").replace("1000\n0\n", "0\n"), 4242))
                .hasMessageContaining("line");
        assertThatThrownBy(() -> FallbackProbe.parse(fallback("").replace("1000\n0\n", "root\n0\n"), 4242))
                .hasMessageContaining("uid line");
        assertThatThrownBy(() -> FallbackProbe.parse(good.strip(), 4242)).hasMessageContaining("line break");
        assertThatThrownBy(() -> FallbackProbe.parse(fallback("4242 (java)" + STAT_TAIL.replace("98765", "9x")), 4242))
                .hasMessageContaining("not well-formed");
        assertThatThrownBy(() -> FallbackProbe.parse(NS + "\n0\n0\n", 4242)).hasMessageContaining("fewer than three");
        assertThatThrownBy(() -> FallbackProbe.parse("0\n", 4242)).hasMessageContaining("fewer than five");
    }

    @Test
    void aLoginThatMayNotSeeOtherUsersPidsIsToldApart() {
        // Fallback: a non-root login on a /proc with hidepid.
        assertThat(FallbackProbe.parse(fallback("").replace("1000\n0\n", "1000\n1\n"), 4242).pidsHidden()).isTrue();
        assertThat(FallbackProbe.parse(fallback("").replace("1000\n0\n", "0\n1\n"), 4242).pidsHidden()).isFalse();
        assertThat(FallbackProbe.parse(fallback(""), 4242).pidsHidden()).isFalse();
        // Probe: the /proc line of mountinfo.
        String plain = "22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n";
        String hiding = "22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw,hidepid=invisible\n";
        String zero = "22 1 0:21 / /proc rw,nosuid - proc proc rw,hidepid=0\n";
        String elsewhere = "30 1 0:40 / /other/proc rw - proc proc rw,hidepid=2\n";
        assertThat(ProcVisibility.procMountHides(plain)).isFalse();
        assertThat(ProcVisibility.procMountHides(hiding)).isTrue();
        assertThat(ProcVisibility.procMountHides(zero)).isFalse();
        assertThat(ProcVisibility.procMountHides(elsewhere)).isFalse();
    }

    @Test
    void theFallbackCommandIsConstantButForTheNumber() {
        assertThat(FallbackProbe.command(4242)).isEqualTo(
                "cat /proc/4242/stat /proc/sys/kernel/random/boot_id /etc/machine-id; readlink /proc/self/ns/pid; id -u; "
                        + "grep -c -E ' /proc proc [^ ]*hidepid=([12]|invisible|noaccess)' /proc/mounts");
        assertThatThrownBy(() -> FallbackProbe.command(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FallbackProbe.command(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
