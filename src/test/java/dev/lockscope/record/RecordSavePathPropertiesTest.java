package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The save path's decisions against a model, on a real file: when a generation is written, when nothing
 * is written, when an optimistic save conflicts, and what re-applying does. After every step the file
 * holds exactly the model's records and generation, and nothing else is left in the directory.
 */
class RecordSavePathPropertiesTest {

    /** One step: a put (value != null) or delete of a name, made against a generation some saves ago. */
    record Op(String name, Integer value, int staleBy, RecordStore.OnConflict onConflict) {
        @Override
        public String toString() {
            return (value == null ? "delete " + name : "put " + name + "=" + value)
                    + (staleBy < 0 ? " (blind)" : " against gen-" + staleBy + " " + onConflict);
        }
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.of("a", "b", "c", "d"),
                Arbitraries.integers().between(0, 3).injectNull(0.3),
                Arbitraries.integers().between(-1, 2),
                Arbitraries.of(RecordStore.OnConflict.class)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 60)
    void saveDecisionsMatchTheModel(@ForAll("ops") List<Op> ops) throws IOException {
        Path dir = Files.createTempDirectory("lockscope-savepath");
        try {
            Path file = dir.resolve("records.json");
            RecordStore store = RecordStore.open(file);
            TreeMap<String, JsonNode> model = new TreeMap<>();
            long generation = 0;
            for (Op op : ops) {
                RecordChange change = op.value() == null ? RecordChange.delete(op.name())
                        : RecordChange.put(op.name(), IntNode.valueOf(op.value()));
                long expected = op.staleBy() < 0 ? RecordStore.ANY_GENERATION : Math.max(0, generation - op.staleBy());
                boolean conflict = expected != RecordStore.ANY_GENERATION && expected != generation;
                if (conflict && op.onConflict() == RecordStore.OnConflict.FAIL) {
                    long g = generation;
                    assertThatThrownBy(() -> store.save(expected, change, op.onConflict()))
                            .isInstanceOfSatisfying(RecordConflictException.class, e -> {
                                assertThat(e.expectedGeneration()).isEqualTo(expected);
                                assertThat(e.actualGeneration()).isEqualTo(g);
                            });
                } else {
                    TreeMap<String, JsonNode> next = new TreeMap<>(model);
                    change.apply(next);
                    SaveResult r = store.save(expected, change, op.onConflict());
                    assertThat(r.reapplied()).isEqualTo(conflict);
                    assertThat(r.previousGeneration()).isEqualTo(generation);
                    if (!next.equals(model)) {
                        generation++;
                    }
                    assertThat(r.written()).as("%s", op).isEqualTo(!next.equals(model));
                    assertThat(r.saved().generation()).isEqualTo(generation);
                    model = next;
                }
                RecordSnapshot s = store.read();
                assertThat(s.records()).as("after %s", op).isEqualTo(model);
                assertThat(s.generation()).as("after %s", op).isEqualTo(generation);
                // A claim kept for a quick retake (KeptClaims) is not something the save left behind.
                dev.lockscope.lock.LinkLock.dropKeptClaims();
                try (Stream<Path> files = Files.list(dir)) {
                    assertThat(files.map(p -> p.getFileName().toString()).toList())
                            .as("only the record file is left").isSubsetOf(List.of("records.json"));
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
