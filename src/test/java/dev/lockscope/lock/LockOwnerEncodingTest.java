package dev.lockscope.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-written owner record encoder writes what Jackson would, and parse reads it back unchanged. */
class LockOwnerEncodingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Provide
    Arbitrary<String> text() {
        // Any well-formed text: quotes, backslashes, control characters, non-ASCII, emoji.
        return Arbitraries.strings().withCharRange('\u0000', '\u00ff').withChars('"', '\\', '\u2028', '\u00e9')
                .ofMaxLength(40).injectNull(0.0)
                .flatMap(s -> Arbitraries.of(s, s + "\uD83D\uDE00", "h\u00f6st-" + s));
    }

    @Provide
    Arbitrary<LockOwner> owners() {
        Arbitrary<String> t = text();
        Arbitrary<String> nullable = text().injectNull(0.3);
        return Combinators.combine(t, t, nullable, nullable, t, Arbitraries.longs().greaterOrEqual(0),
                        Arbitraries.longs().injectNull(0.3), Arbitraries.longs().greaterOrEqual(0))
                .as((host, hostId, bootId, ns, user, pid, start, lease) -> new LockOwner(null, host, hostId, bootId,
                        ns, user, pid, start, Tokens.next(), lease, System.currentTimeMillis(),
                        host.isEmpty() ? null : "purpose " + user));
    }

    @Property(tries = 300)
    void encodesAsJacksonDoesAndParsesBack(@ForAll("owners") LockOwner owner) throws Exception {
        byte[] ours = owner.toBytes();
        String text = new String(ours, StandardCharsets.UTF_8).trim();
        JsonNode mine = JSON.readTree(text);
        JsonNode jackson = JSON.readTree(JSON.writeValueAsBytes(owner));
        assertThat(mine).isEqualTo(jackson);
        String invalid = LockOwner.invalidField(owner);
        if (invalid == null) {
            assertThat(LockOwner.parse(ours, ours.length)).isEqualTo(owner);
        } else {
            // Outside the grammar we write (control characters, empty names, a zero pid): never accepted back.
            assertThatThrownBy(() -> LockOwner.parse(ours, ours.length)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(invalid);
        }
        if (ours.length == LockOwner.RECORD_SIZE) {
            assertThat(ours[LockOwner.RECORD_SIZE - 1]).isEqualTo((byte) '\n');
        }
    }

    @Property(tries = 300)
    void aReacquisitionsRecordPatchedFromTheEarlierOneIsTheRecordWrittenWhole(@ForAll("owners") LockOwner earlier,
            @ForAll @net.jqwik.api.constraints.LongRange(min = 0, max = 9_999_999_999_999L) long at,
            @ForAll boolean otherLease) {
        LockOwner next = earlier.withAcquiredAt(at);
        if (otherLease) {
            next = new LockOwner(next.format(), next.host(), next.hostId(), next.bootId(), next.pidNamespace(), next.user(),
                    next.pid(), next.startTime(), next.token(), next.leaseMillis() + 1, at, next.purpose(), next.startTicks());
        }
        assertThat(next.toBytesLike(earlier, earlier.toBytes())).isEqualTo(next.toBytes());
    }

    @Test
    void escapesControlCharactersAsJacksonDoes() throws Exception {
        LockOwner o = new LockOwner(null, "a\"b\\c\n\t\u0001", "id", null, null, "u", 1, null, "t", 1, 2, null);
        String text = new String(o.toBytes(), StandardCharsets.UTF_8).trim();
        assertThat(text).isEqualTo(JSON.writeValueAsString(o));
    }

    @Test
    void tokensAreUniqueHexOf128Bits() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String t = Tokens.next();
            assertThat(t).matches("[0-9a-f]{32}");
            assertThat(seen.add(t)).as("token repeated: " + t).isTrue();
        }
    }
}
