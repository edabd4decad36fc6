package dev.lockscope.record;

import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.lockscope.record.GroupCommitTesting.GROUP_COMMIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group commit under SIGKILL: a victim writer process stops at one step of the save path (a waiter's publish
 * or withdrawal; a holder's take, apply, write, rename or mark, in a hold that took others' intents) and is
 * killed there, while helper writers on both mounts go on. Every change is a put of a unique name plus an
 * increment of {@code counter} in one intent, so: every change a writer reported as committed is in the file,
 * and {@code counter} equals the number of names present (no change applied twice, none half-applied). The
 * victim's change in flight may be in or out. No intent file is left once a holder has run after the kill.
 */
@MultiProcess
class GroupCommitChaosTest {
    static final int HELPERS = 3;
    /**
     * At most this many saves per writer: the helpers go on until the victim has reached its step and was
     * killed (a hold that took others' intents needs company), then they are told to quit.
     */
    static final int SAVES = 2000;
    static final Pattern CHANGE = Pattern.compile("^(h\\d|v)\\.\\d+$");

    enum Kill { PUBLISHED, TAKEN, CHANGED, TEMP_WRITTEN, RENAMED, MARKED, WITHDRAWN }

    @TempDir
    Path local;

    @ParameterizedTest
    @EnumSource(Kill.class)
    void killedLocally(Kill step) throws Exception {
        chaos(new Testbed.MountPair("local", local, local), step);
    }

    @ParameterizedTest
    @EnumSource(Kill.class)
    void killedOnGluster(Kill step) throws Exception {
        chaos(Testbed.gluster().freshDir("group-chaos"), step);
    }

    @ParameterizedTest
    @EnumSource(Kill.class)
    void killedOnSshfs(Kill step) throws Exception {
        chaos(Testbed.sshfs().freshDir("group-chaos"), step);
    }

    private void chaos(Testbed.MountPair dir, Kill step) throws Exception {
        Path viaA = dir.a().resolve("records.json");
        Path viaB = dir.b().resolve("records.json");
        Path logs = Children.logDir("group-chaos-" + dir.kind() + "-" + step);
        Random random = new Random();
        long t0 = System.nanoTime();
        LockHandle held = null;
        if (step == Kill.WITHDRAWN) {
            // The victim must time out while the lock stays held, and withdraw.
            held = LinkLock.of(RecordStore.open(viaA, GROUP_COMMIT).lockFile(), LockOptions.defaults()).acquire(Duration.ofSeconds(30));
        }
        List<Process> helpers = new ArrayList<>();
        if (step != Kill.WITHDRAWN) {
            for (int h = 0; h < HELPERS; h++) {
                // Two of three on the victim's mount: on sshfs a listing through one mount can miss intents
                // published through the other for a while, and the victim's hold must find some to take.
                helpers.add(Children.start(GroupCommitWriterMain.class, List.of((h % 2 == 0 ? viaA : viaB).toString(),
                        "h" + h, String.valueOf(SAVES), "120000", "NONE", "0", logs.resolve("quit").toString()),
                        Map.of(), logs, "h" + h));
            }
        }
        int stopAt = step == Kill.WITHDRAWN || step == Kill.PUBLISHED ? 1 + random.nextInt(2) : 1;
        if (step == Kill.WITHDRAWN) {
            stopAt = 1;
        }
        Process victim = Children.start(GroupCommitWriterMain.class, List.of(viaA.toString(), "v",
                String.valueOf(SAVES), step == Kill.WITHDRAWN ? "300" : "120000", step.name(), String.valueOf(stopAt)),
                Map.of(), logs, "v");
        boolean reached = false;
        // A victim that must become a holder can wait long on a network bed: holds keep combining while writers
        // keep publishing, and the victim's intents are then served without it ever racing for the lock (60-90 s
        // seen on gluster and sshfs; most cases take 1-6 s).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline && !reached) {
            reached = Children.out(logs, "v").contains("AT " + step.name());
            if (!reached && !victim.isAlive()) {
                break;
            }
            Thread.sleep(2);
        }
        victim.destroyForcibly();
        victim.waitFor(10, TimeUnit.SECONDS);
        if (held != null) {
            held.release();
        }
        // The helpers go on a little past the kill, so one of them is the next holder, then quit.
        Thread.sleep(300);
        Files.writeString(logs.resolve("quit"), "quit");
        long helpersDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        for (int h = 0; h < helpers.size(); h++) {
            Children.await(helpers.get(h), helpersDeadline, "h" + h);
        }
        // One more holder after the kill (the helpers may all have finished before the victim's lock was found dead).
        SaveResult recovery = RecordStore.open(viaB, GROUP_COMMIT).put("recovery", com.fasterxml.jackson.databind.node.IntNode.valueOf(1));

        Set<String> committed = new HashSet<>();
        List<String> failed = new ArrayList<>();
        for (String name : Stream.concat(Stream.of("v"), java.util.stream.IntStream.range(0, helpers.size())
                .mapToObj(h -> "h" + h)).toList()) {
            for (String line : Children.out(logs, name)) {
                if (line.startsWith("COMMITTED ")) {
                    committed.add(line.split(" ")[1]);
                } else if (line.startsWith("FAILED ")) {
                    failed.add(line);
                }
            }
        }
        for (Path via : List.of(viaA, viaB)) {
            RecordSnapshot s = RecordStore.open(via, GROUP_COMMIT).readFresh();
            Set<String> changes = new HashSet<>();
            for (String k : s.records().keySet()) {
                if (CHANGE.matcher(k).matches()) {
                    changes.add(k);
                }
            }
            assertThat(changes).as("via %s: every committed change is in the file", via).containsAll(committed);
            assertThat(s.get("counter").map(n -> n.longValue()).orElse(0L))
                    .as("via %s: counter = changes present (each applied exactly once)", via).isEqualTo(changes.size());
            if (step == Kill.WITHDRAWN) {
                assertThat(changes).as("the withdrawn change").doesNotContain("v.0");
            }
        }
        List<String> leftovers = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir.a())) {
            s.map(p -> p.getFileName().toString()).filter(n -> RecordIntent.parseName(n).isPresent()
                    || n.contains(".bad-intent.")).forEach(leftovers::add);
        }
        Children.figures(String.format("group chaos %s kill at %s: reached=%s committed=%d failed=%d leftovers=%s"
                        + " recoveryWarning=%s wall=%.1fs logs=%s", dir.kind(), step, reached, committed.size(),
                failed.size(), leftovers, recovery.warning(), (System.nanoTime() - t0) / 1e9, logs));
        assertThat(reached).as("the victim reached %s (see %s)", step, logs).isTrue();
        assertThat(leftovers).as("intent files left after a holder ran").isEmpty();
        assertThat(failed).as("helpers' saves that failed").isEmpty();
    }
}
