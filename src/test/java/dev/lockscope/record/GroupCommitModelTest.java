package dev.lockscope.record;

import com.fasterxml.jackson.databind.node.IntNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static dev.lockscope.record.GroupCommitTesting.GROUP_COMMIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random interleavings of the group-commit protocol against a sequential model. Writers publish, check and
 * withdraw through the real intent files ({@link IntentFiles}) and the real commit log; holders are real saves
 * of {@link RecordStore}, and at every step of a hold (after its listing, after the take, the apply, the write,
 * the rename, the directory sync, the mark) the next writer actions of the sequence run, so a withdrawal can
 * meet a take from either side. A holder may crash at any of those steps (it stops there: its taken intents
 * stay, as after a SIGKILL), and a writer may crash (forget its intent).
 *
 * <p>The model: a withdrawn intent is never applied; an intent its writer saw proved is in the file; every
 * intent is applied at most once (each intent puts its own name and adds 1 to {@code counter}, so counter equals
 * the number of names present); after holders have run with nothing left to take, every intent that was not
 * withdrawn is applied.
 */
class GroupCommitModelTest {
    static final int WRITERS = 3;

    enum Kind { PUBLISH, WITHDRAW, CHECK, CRASH_WRITER, HOLD }

    /** One action; {@code crashAt} is the step a HOLD stops at (null: it completes). */
    record Action(Kind kind, int writer, RecordStore.SaveStep crashAt) {
    }

    static final class Crash extends RuntimeException {
        Crash() {
            super("holder crashed", null, false, false);
        }
    }

    /** A writer of the model: its id, its last number, its outstanding intent. */
    static final class ModelWriter {
        final String id;
        long seq;
        RecordIntent pending;
        Path published;

        ModelWriter(int i) {
            id = String.format("%016x", 0xA0L + i);
        }
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<RecordStore.SaveStep> crash = Arbitraries.of(RecordStore.SaveStep.READ, RecordStore.SaveStep.TAKEN,
                RecordStore.SaveStep.CHANGED, RecordStore.SaveStep.TEMP_WRITTEN, RecordStore.SaveStep.RENAMED,
                RecordStore.SaveStep.DIRECTORY_SYNCED, RecordStore.SaveStep.MARKED).injectNull(0.4);
        Arbitrary<Kind> kind = Arbitraries.frequency(Tuple.of(4, Kind.PUBLISH), Tuple.of(2, Kind.WITHDRAW),
                Tuple.of(2, Kind.CHECK), Tuple.of(1, Kind.CRASH_WRITER), Tuple.of(2, Kind.HOLD));
        return Combinators.combine(kind, Arbitraries.integers().between(0, WRITERS - 1), crash).as(Action::new)
                .list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 60)
    void interleavingsOfPublishTakeCommitWithdrawAndCrashKeepTheModel(@ForAll("actions") List<Action> actions)
            throws Exception {
        Path dir = Files.createTempDirectory("group-model");
        try {
            new Run(dir.resolve("records.json")).run(actions);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One interleaving: the real files and store, and the model beside them. */
    static final class Run {
        final Path file;
        final IntentFiles files;
        final ModelWriter[] writers = new ModelWriter[WRITERS];
        final Set<String> published = new HashSet<>();
        final Set<String> withdrawn = new HashSet<>();
        final Set<String> proved = new HashSet<>();
        final Map<String, String> nameOf = new HashMap<>();
        final Deque<Action> queue = new ArrayDeque<>();
        boolean inHold;
        RecordStore.SaveStep crashAt;
        int holds;
        final RecordStore holder;

        Run(Path file) {
            this.file = file;
            this.files = new IntentFiles(file);
            for (int i = 0; i < WRITERS; i++) {
                writers[i] = new ModelWriter(i);
            }
            holder = RecordStore.open(file, GROUP_COMMIT).withStepListener(step -> {
                if (!inHold) {
                    return;
                }
                // The writers act between the holder's steps: up to two of the actions that come next.
                for (int i = 0; i < 2 && !queue.isEmpty() && queue.peek().kind() != Kind.HOLD; i++) {
                    writerAction(queue.poll());
                }
                checkModel("during a hold, at " + step);
                if (step == crashAt) {
                    throw new Crash();
                }
            });
        }

        void run(List<Action> actions) throws Exception {
            queue.addAll(actions);
            while (!queue.isEmpty()) {
                Action a = queue.poll();
                if (a.kind() == Kind.HOLD) {
                    hold(a.crashAt());
                } else {
                    writerAction(a);
                }
                checkModel("after " + a);
            }
            // Holders run with nothing to interleave until no intent is left to take.
            for (int i = 0; i < 3 && !files.list().intents().isEmpty(); i++) {
                hold(null);
            }
            assertThat(files.list().intents()).as("intent files left after complete holds").isEmpty();
            for (ModelWriter w : writers) {
                if (w.pending != null) {
                    assertThat(outcome(w)).as("writer %s's intent %d after complete holds", w.id, w.seq)
                            .isEqualTo(CommitLog.Outcome.APPLIED);
                }
            }
            Set<String> expected = new HashSet<>(published);
            expected.removeAll(withdrawn);
            assertThat(namesInFile()).as("every intent not withdrawn is applied, and nothing else").isEqualTo(expected);
            checkModel("at the end");
        }

        void hold(RecordStore.SaveStep crash) throws IOException {
            inHold = true;
            crashAt = crash;
            try {
                holder.put("hold", IntNode.valueOf(++holds));
            } catch (Crash c) {
                // It stopped there, as after a SIGKILL; what it took stays taken.
            } finally {
                inHold = false;
            }
        }

        void writerAction(Action a) {
            ModelWriter w = writers[a.writer()];
            try {
                switch (a.kind()) {
                    case PUBLISH -> {
                        if (w.pending == null) {
                            long gen = current() == null ? 0 : current().generation();
                            String name = "w" + a.writer() + "." + (w.seq + 1);
                            RecordIntent intent = new RecordIntent(w.id, ++w.seq, gen, "model", 1, List.of(
                                    new RecordIntent.Put(name, IntNode.valueOf((int) w.seq)),
                                    new RecordIntent.Add("counter", 1)));
                            w.published = files.publish(intent, intent.encode());
                            w.pending = intent;
                            published.add(name);
                            nameOf.put(w.id + "." + w.seq, name);
                        }
                    }
                    case WITHDRAW -> {
                        if (w.pending != null && files.withdraw(w.published)) {
                            withdrawn.add(nameOf.get(w.id + "." + w.seq));
                            w.pending = null;
                        }
                    }
                    case CHECK -> {
                        if (w.pending != null && outcome(w) == CommitLog.Outcome.APPLIED) {
                            proved.add(nameOf.get(w.id + "." + w.seq));
                            w.pending = null;
                        }
                    }
                    case CRASH_WRITER -> w.pending = null;
                    default -> throw new IllegalStateException(a.toString());
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        CommitLog.Outcome outcome(ModelWriter w) throws IOException {
            RecordFormat.Decoded d = current();
            return d == null ? CommitLog.Outcome.NOT_APPLIED
                    : d.commits().outcome(w.id, w.pending.seq(), w.pending.notBefore());
        }

        RecordFormat.Decoded current() throws IOException {
            if (!Files.exists(file)) {
                return null;
            }
            return RecordFormat.decode(file, Files.readAllBytes(file));
        }

        Set<String> namesInFile() throws IOException {
            RecordFormat.Decoded d = current();
            Set<String> names = new HashSet<>();
            if (d != null) {
                for (String k : d.records().keySet()) {
                    if (k.startsWith("w")) {
                        names.add(k);
                    }
                }
            }
            return names;
        }

        void checkModel(String when) {
            try {
                RecordFormat.Decoded d = current();
                Set<String> names = namesInFile();
                long counter = d == null || !d.records().containsKey("counter") ? 0 : d.records().get("counter").longValue();
                assertThat(counter).as("%s: counter = names present (each intent applied at most once)", when)
                        .isEqualTo(names.size());
                Set<String> appliedWithdrawn = new HashSet<>(names);
                appliedWithdrawn.retainAll(withdrawn);
                assertThat(appliedWithdrawn).as("%s: withdrawn intents that were applied", when).isEmpty();
                assertThat(names).as("%s: every proved intent is in the file", when).containsAll(proved);
                assertThat(published).as("%s: nothing but published intents", when).containsAll(names);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
