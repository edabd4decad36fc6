package dev.lockscope.record;

import com.fasterxml.jackson.databind.JsonNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The merge for random base, mine and theirs maps over a small name space (so that both sides often touch
 * the same records): every change of only one side survives, records both changed alike survive, and the
 * conflicts are exactly the records both sides changed differently.
 */
class RecordMergePropertiesTest {

    @Provide
    Arbitrary<Map<String, JsonNode>> maps() {
        Arbitrary<String> names = Arbitraries.of("a", "b", "c", "d", "e", "f");
        // Few distinct values, including 1.1 and 1.10, so equal and different values both come up often.
        Arbitrary<JsonNode> values = Arbitraries.of("1", "1.1", "1.10", "\"x\"", "null", "{\"k\":[1,2]}")
                .map(t -> {
                    try {
                        return RecordFormat.parseValue(t);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        return Arbitraries.maps(names, values).ofMaxSize(6);
    }

    @Property(tries = 1000)
    void keepsEveryOneSidedChangeAndReportsExactlyTheTwoSidedDisagreements(
            @ForAll("maps") Map<String, JsonNode> base, @ForAll("maps") Map<String, JsonNode> mine,
            @ForAll("maps") Map<String, JsonNode> theirs) {
        RecordMerge.Outcome o = RecordMerge.merge(base, mine, theirs);

        Set<String> names = new TreeSet<>(base.keySet());
        names.addAll(mine.keySet());
        names.addAll(theirs.keySet());
        Set<String> expectedConflicts = new HashSet<>();
        for (String n : names) {
            JsonNode b = base.get(n);
            JsonNode m = mine.get(n);
            JsonNode t = theirs.get(n);
            boolean iChanged = !sameText(b, m);
            boolean theyChanged = !sameText(b, t);
            if (iChanged && theyChanged && !sameText(m, t)) {
                expectedConflicts.add(n);
                assertThat(sameText(o.merged().get(n), t)).as("a conflict is never applied: %s", n).isTrue();
            } else if (iChanged) {
                assertThat(sameText(o.merged().get(n), m)).as("my change to %s survives", n).isTrue();
            } else {
                assertThat(sameText(o.merged().get(n), t)).as("their state of %s survives", n).isTrue();
            }
        }
        assertThat(new HashSet<>(o.conflictNames())).isEqualTo(expectedConflicts);
        assertThat(o.conflicts()).allSatisfy(c -> {
            assertThat(sameText(c.base(), base.get(c.name()))).isTrue();
            assertThat(sameText(c.mine(), mine.get(c.name()))).isTrue();
            assertThat(sameText(c.theirs(), theirs.get(c.name()))).isTrue();
        });
        assertThat(o.merged().values()).doesNotContainNull();
    }

    /** Equality as the file sees it: the compact text (independent of the merge's own comparison). */
    private static boolean sameText(JsonNode a, JsonNode b) {
        return Objects.equals(a == null ? null : RecordFormat.toJson(a, false),
                b == null ? null : RecordFormat.toJson(b, false));
    }
}
