package dev.lockscope.record;

import dev.lockscope.testing.MountKind;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chaos: writer processes on both mounts, SIGKILLed at random moments of the save path (each sleeps a
 * random few milliseconds at every step, so kills land in every step), over many rounds. Every update a
 * writer reported as committed must be present; the file must always parse; leftover temp files must
 * carry a recognisable name and the pid of a killed writer. Runs once per {@link MountKind}; the network ones
 * skip without the testbed, and fail without it under CI=true.
 */
@MultiProcess
class RecordChaosTest {
    static final int ROUNDS = 8;
    static final int WRITERS_PER_ROUND = 6;
    static final int UPDATES_PER_WRITER = 40;

    @TempDir
    Path local;

    // The two network beds only, as before the trios became parameterised: a local run added ~50 s to CI, and
    // GroupCommitChaosTest kills writers at every save step on the local filesystem already.
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MountKind.class, names = {"GLUSTER", "SSHFS"})
    void killedWritersLoseNoCommittedUpdate(MountKind kind) throws Exception {
        chaos(kind.freshDir("records-chaos", local));
    }

    private void chaos(Testbed.MountPair dir) throws Exception {
        Path viaA = dir.a().resolve("records.json");
        Path viaB = dir.b().resolve("records.json");
        Path logs = Children.logDir("chaos-" + dir.kind());
        Random random = new Random();
        // LOCKSCOPE_TEST_HISTORY set: the writers keep their steps and a copy of every generation they wrote.
        Map<String, String> env = System.getenv("LOCKSCOPE_TEST_HISTORY") == null ? Map.of()
                : Map.of("LOCKSCOPE_TEST_HISTORY", logs.resolve("history").toString());
        Set<String> committed = new HashSet<>();
        Set<Long> killedPids = new HashSet<>();
        int kills = 0;
        int fenced = 0;
        long t0 = System.nanoTime();
        for (int round = 0; round < ROUNDS; round++) {
            List<Process> ps = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int w = 0; w < WRITERS_PER_ROUND; w++) {
                boolean onA = w % 2 == 0;
                String name = "r" + round + "w" + w;
                // One host id for all: a killed writer's lock is then provably DEAD (its pid is gone).
                ps.add(Children.start(RecordWriterMain.class, List.of((onA ? viaA : viaB).toString(), name,
                        String.valueOf(UPDATES_PER_WRITER), String.valueOf(random.nextInt(200)), "15"),
                        env, logs, name));
                names.add(name);
            }
            // Let them get going, then kill some at random moments.
            Thread.sleep(1500 + random.nextInt(1500));
            for (int w = 0; w < ps.size(); w++) {
                if (random.nextInt(3) > 0 && ps.get(w).isAlive()) {
                    Thread.sleep(random.nextInt(150));
                    killedPids.add(ps.get(w).pid());
                    ps.get(w).destroyForcibly();
                    kills++;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            for (int w = 0; w < ps.size(); w++) {
                Children.await(ps.get(w), deadline, names.get(w));
                for (String line : Children.out(logs, names.get(w))) {
                    if (line.startsWith("COMMITTED ")) {
                        committed.add(line.split(" ")[1]);
                    } else if (line.startsWith("FENCED ")) {
                        fenced++;
                    }
                }
            }
            // After every round the file parses through both mounts and holds every committed update.
            for (Path via : List.of(viaA, viaB)) {
                RecordSnapshot s = RecordStore.open(via).readFresh();
                for (String c : committed) {
                    assertThat(s.records()).as("round %d via %s: committed update %s", round, via, c).containsKey(c);
                }
            }
        }
        long wall = System.nanoTime() - t0;
        RecordSnapshot fin = RecordStore.open(viaA).readFresh();
        List<String> temps = new ArrayList<>();
        List<String> strangers = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir.a())) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                var t = RecordTempFile.parse(n);
                if (t.isPresent()) {
                    temps.add(n);
                    if (!killedPids.contains(t.get().pid()) || !t.get().recordFileName().equals("records.json")) {
                        strangers.add(n);
                    }
                } else if (n.contains(".tmp.")) {
                    strangers.add(n);
                }
            }
        }
        long lost = committed.stream().filter(c -> !fin.records().containsKey(c)).count();
        Children.figures(String.format("chaos %s: rounds=%d processes=%d killed=%d committedUpdates=%d recordsOnDisk=%d"
                        + " generation=%d lost=%d fencedRetries=%d leftoverTempFiles=%d (all named for killed pids: %s)"
                        + " wall=%.1fs logs=%s", dir.kind(), ROUNDS, ROUNDS * WRITERS_PER_ROUND, kills,
                committed.size(), fin.records().size(), fin.generation(), lost, fenced, temps.size(),
                strangers.isEmpty(), wall / 1e9, logs));
        assertThat(lost).isZero();
        assertThat(kills).isPositive();
        assertThat(strangers).as("temp files not named for a killed writer").isEmpty();
        // Every generation holds at least one new record (its holder's own put; keys are unique and nothing is
        // deleted), and with group commit one generation may hold several: never more generations than records.
        assertThat(fin.generation()).isBetween(1L, (long) fin.records().size());
        assertThat(fin.records().size()).isGreaterThanOrEqualTo(committed.size());
    }
}
