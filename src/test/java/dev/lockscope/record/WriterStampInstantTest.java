package dev.lockscope.record;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** {@link WriterStamp#parseInstant} against {@link Instant#parse}, the reference. */
class WriterStampInstantTest {

    /** Every instant as written (Instant.toString), from year 0 to 9999, at every fraction length. */
    @Property(tries = 2000)
    void readsWhatInstantToStringWrites(@ForAll @LongRange(min = -62_167_219_200L, max = 253_402_300_799L) long second,
                                       @ForAll("nanos") int nanos) {
        Instant i = Instant.ofEpochSecond(second, nanos);
        assertThat(WriterStamp.parseInstant(i.toString())).isEqualTo(i);
    }

    @Provide
    Arbitrary<Integer> nanos() {
        return Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 999).map(m -> m * 1_000_000),
                Arbitraries.integers().between(0, 999_999).map(u -> u * 1_000), Arbitraries.integers().between(0, 999_999_999));
    }

    /** Whatever the text, the answer or the error is Instant.parse's. */
    @Property(tries = 3000)
    void agreesWithInstantParseOnAnyTextOfThatShape(@ForAll("nearlyInstants") String text) {
        Throwable expectedError = catchThrowable(() -> Instant.parse(text));
        if (expectedError == null) {
            assertThat(WriterStamp.parseInstant(text)).isEqualTo(Instant.parse(text));
        } else {
            assertThatThrownBy(() -> WriterStamp.parseInstant(text)).isInstanceOf(expectedError.getClass());
        }
    }

    @Provide
    Arbitrary<String> nearlyInstants() {
        Arbitrary<String> d = Arbitraries.strings().withChars("0123456789x-+ ").ofLength(2);
        Arbitrary<String> year = Arbitraries.strings().withChars("0123456789-+").ofMinLength(4).ofMaxLength(5);
        Arbitrary<String> frac = Arbitraries.strings().withChars("0123456789").ofMaxLength(11).map(f -> f.isEmpty() ? "" : "." + f);
        return net.jqwik.api.Combinators.combine(year, d, d, d, d, d, frac, Arbitraries.of("Z", "z", "+01:00", ""))
                .as((y, mo, da, h, mi, s, f, z) -> y + "-" + mo + "-" + da + "T" + h + ":" + mi + ":" + s + f + z);
    }

    @Example
    void leavesOutOfRangeFieldsToTheFormatter() {
        for (String t : new String[] {"2026-11-30T23:59:60Z", "2026-02-30T10:00:00Z", "2026-11-30T24:00:00Z"}) {
            Throwable expectedError = catchThrowable(() -> Instant.parse(t));
            if (expectedError == null) {
                assertThat(WriterStamp.parseInstant(t)).as(t).isEqualTo(Instant.parse(t));
            } else {
                assertThatThrownBy(() -> WriterStamp.parseInstant(t)).as(t).isInstanceOf(expectedError.getClass());
            }
        }
        assertThatThrownBy(() -> WriterStamp.parseInstant("2026-13-01T10:00:00Z")).isInstanceOf(DateTimeParseException.class);
    }
}
