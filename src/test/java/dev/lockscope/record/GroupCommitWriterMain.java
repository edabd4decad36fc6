package dev.lockscope.record;

import static dev.lockscope.record.GroupCommitTesting.GROUP_COMMIT;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A writer process for the group-commit tests. Main thread only.
 *
 * <p>Args: {@code FILE PREFIX COUNT TIMEOUT_MS STOP_STEP STOP_AT [QUIT_FILE [EXTRA_ROUNDS]]}; with QUIT_FILE it
 * ends (exit 0) before the next save once that file exists; EXTRA_ROUNDS sets
 * {@link RecordStoreOptions#extraRounds()}. Does COUNT saves, each one intent of two
 * operations: put {@code PREFIX.i} and add 1 to record {@code counter}; so a file in which every change was
 * applied exactly once has {@code counter} equal to the number of {@code *.i} records. After each save returns it
 * prints {@code COMMITTED <name> <combined> <incremented>}; a save that failed prints {@code FAILED <name> <why>}
 * (its outcome may be either way) and the writer goes on. When STOP_STEP (a {@link RecordStore.SaveStep} name,
 * or NONE) is passed for the STOP_AT-th time, it prints {@code AT <step>} and stops there for the test to
 * SIGKILL it; a step of the holder (TAKEN and after) counts only in a hold that took intents. Exit 0 when done.
 */
public final class GroupCommitWriterMain {
    private GroupCommitWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        long timeoutMs = Long.parseLong(args[3]);
        String stopStep = args[4];
        int stopAt = Integer.parseInt(args[5]);
        AtomicInteger seen = new AtomicInteger();
        RecordStore store = RecordStore.open(file, GROUP_COMMIT
                .withLockTimeout(Duration.ofMillis(timeoutMs))
                .withExtraRounds(args.length > 7 ? Integer.parseInt(args[7]) : RecordStoreOptions.DEFAULT_EXTRA_ROUNDS));
        // The holder's steps count only in a hold that took intents of others: that is where a kill can lose,
        // duplicate or half-apply them.
        boolean holderStep = !List.of("PUBLISHED", "WITHDRAWN", "NONE").contains(stopStep);
        boolean[] tookThisHold = new boolean[1];
        if (!stopStep.equals("NONE")) {
            store = store.withStepListener(step -> {
                if (step == RecordStore.SaveStep.LOCKED || step == RecordStore.SaveStep.RELEASED) {
                    tookThisHold[0] = false;
                } else if (step == RecordStore.SaveStep.TAKEN) {
                    tookThisHold[0] = true;
                }
                if (step.name().equals(stopStep) && (!holderStep || tookThisHold[0]) && seen.incrementAndGet() == stopAt) {
                    System.out.println("AT " + step);
                    System.out.flush();
                    while (true) {
                        LockSupport.parkNanos(1_000_000_000L);
                    }
                }
            });
        }
        Path quit = args.length > 6 ? Path.of(args[6]) : null;
        for (int i = 0; i < count; i++) {
            if (quit != null && java.nio.file.Files.exists(quit)) {
                break;
            }
            String name = prefix + "." + i;
            IntentChange change = new IntentChange(List.of(
                    new RecordIntent.Put(name, JsonNodeFactory.instance.numberNode(i)),
                    new RecordIntent.Add("counter", 1)));
            try {
                SaveResult r = store.update(change);
                System.out.println("COMMITTED " + name + " " + r.combined() + " " + r.incremented());
            } catch (Exception e) {
                System.out.println("FAILED " + name + " " + e.toString().replace('\n', ' '));
            }
            System.out.flush();
        }
        System.exit(0);
    }
}
