package dev.lockscope.probe;

import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.LockOwner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Host names, the allow-list, the judge's every branch, and the argv built: no ssh needed. */
class HostCheckRulesTest {
    private static final String BOOT = "455e402e-3d8a-426a-8fb4-e3ca2b8ce021";
    private static final String NS = "pid:[4026531836]";

    private static LockOwner owner(String host, Long ticks) {
        return new LockOwner(LockOwner.FORMAT, host, "machine-b", BOOT, NS, "u", 4242, null, "t0k3n", 600_000, 1L,
                null, ticks);
    }

    private static ProbeReport answer(String machine, String boot, String ns, boolean alive, Long ticks) {
        return new ProbeReport(4242, alive, machine, boot, ns, ticks, null, null, ProbeReport.SOURCE_PROBE, false);
    }

    @Test
    void hostNamesFollowTheGrammar() {
        assertThat(HostNames.isValid("batch-07")).isTrue();
        assertThat(HostNames.isValid("batch-07.cluster.example.")).isTrue();
        assertThat(HostNames.isValid("10.0.0.7")).isTrue();
        for (String bad : List.of("-oProxyCommand=sh", "-p22", "host b", "$(id)", "`id`", "a;b", "a|b", "a&b",
                "user@host", "host:22", "h\nx", "h\u0000", "..", ".a", "a..b", "*", "h%h", "é", "a".repeat(254), "")) {
            assertThat(HostNames.isValid(bad)).as(bad).isFalse();
        }
        assertThat(HostNames.whyInvalid("-oProxyCommand=x")).contains("starts with '-'");
    }

    @Test
    void theAllowListIsEmptyByDefaultAndMatchesGlobs() {
        assertThat(AskHostsAllowList.empty().allows("hostB")).isFalse();
        AskHostsAllowList l = AskHostsAllowList.parse("batch-*, *.cluster.example\n# comment\nexact?  # tail");
        assertThat(l.allows("batch-07")).isTrue();
        assertThat(l.allows("BATCH-07")).isTrue();
        assertThat(l.allows("node.cluster.example")).isTrue();
        assertThat(l.allows("cluster.example")).isFalse();
        assertThat(l.allows("exact1")).isTrue();
        assertThat(l.allows("exact")).isFalse();
        assertThat(l.allows("other")).isFalse();
        // A pattern never lets an invalid name through.
        assertThat(AskHostsAllowList.parse("*").allows("-oProxyCommand=sh")).isFalse();
        assertThat(AskHostsAllowList.parse("*").allows("a b")).isFalse();
        // Malformed patterns are set aside, not matched.
        AskHostsAllowList bad = AskHostsAllowList.parse("$(id),ok");
        assertThat(bad.patterns()).containsExactly("ok");
        assertThat(bad.rejected()).hasSize(1);
        // No exponential back-tracking on many stars.
        assertThat(AskHostsAllowList.parse("*a*a*a*a*a*a*a*a*a*a*a*a*b").allows("a".repeat(200))).isFalse();
    }

    @Test
    void deadOnlyWhenMachineBootAndNamespaceAgree() {
        LockOwner o = owner("hostB", 100L);
        assertThat(HostCheckJudge.judge(o, answer("machine-b", BOOT, NS, false, null)).result())
                .isEqualTo(HostCheck.Result.DEAD);
        assertThat(HostCheckJudge.judge(o, answer("machine-b", BOOT, NS, true, 101L)).result())
                .isEqualTo(HostCheck.Result.DEAD);
        assertThat(HostCheckJudge.judge(o, answer("machine-b", BOOT, NS, true, 100L)).result())
                .isEqualTo(HostCheck.Result.ALIVE);
        // Another machine, another boot (reboot or clone), another namespace, unknown boot: never DEAD.
        for (ProbeReport a : List.of(answer("machine-x", BOOT, NS, false, null),
                answer("machine-b", "0e5f0a4c-0000-4000-8000-000000000000", NS, false, null),
                answer("machine-b", BOOT, "pid:[1]", false, null),
                answer("machine-b", BOOT, null, false, null),
                answer("machine-b", null, NS, false, null))) {
            assertThat(HostCheckJudge.judge(o, a).result()).as(a.toString()).isEqualTo(HostCheck.Result.INCONCLUSIVE);
        }
        // Not visible to a login that may not see other users' pids (hidepid): not DEAD.
        assertThat(HostCheckJudge.judge(o, new ProbeReport(4242, false, "machine-b", BOOT, NS, null, null, null,
                ProbeReport.SOURCE_FALLBACK, true)).result()).isEqualTo(HostCheck.Result.INCONCLUSIVE);
        // Alive, but the record has no start to compare: not DEAD, not ALIVE.
        assertThat(HostCheckJudge.judge(owner("hostB", null), answer("machine-b", BOOT, NS, true, 5L)).result())
                .isEqualTo(HostCheck.Result.INCONCLUSIVE);
    }

    @Test
    void theArgvIsFixedButForHostAndNumberAndRefusesBadHosts() {
        HostChecker c = new HostChecker(new SshSettings("ssh", Path.of("/etc/lockscope-test/ssh_config"),
                AskHostsAllowList.parse("*"), Duration.ofSeconds(20)), HostIdentity.current());
        assertThat(c.argv("hostB", "lockscope probe 1")).containsExactly("ssh", "-F", "/etc/lockscope-test/ssh_config",
                "-n", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "StrictHostKeyChecking=yes",
                "-o", "ClearAllForwardings=yes", "--", "hostB", "lockscope probe 1");
        HostCheck refused = c.check(owner("-oProxyCommand=sh", 1L));
        assertThat(refused.result()).isEqualTo(HostCheck.Result.REFUSED);
        assertThat(refused.exchanges()).isEmpty();
        assertThat(c.check(new LockOwner(LockOwner.FORMAT, "hostB", "m", BOOT, NS, "u", -5, null, "t", 1, 1L, null))
                .result()).isEqualTo(HostCheck.Result.REFUSED);
    }
}
