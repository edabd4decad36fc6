package dev.lockscope.ui;

import dev.lockscope.cli.LockscopeCommand;
import dev.lockscope.record.RecordFormat;
import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.JsonInput;
import dev.lockscope.ui.records.RecordsViewModel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One JSON path: a value typed in the GUI, saved, and read back with {@code lockscope records get} is the
 * same canonical text as the CLI makes of it; and the GUI accepts exactly the texts the CLI accepts.
 */
class RecordNumberPrecisionTest {

    private static Path dir;
    private static final AtomicInteger FILES = new AtomicInteger();

    @BeforeContainer
    static void makeDirectory() throws IOException {
        dir = Files.createTempDirectory("lockscope-precision");
    }

    @AfterContainer
    static void removeDirectory() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** JSON number texts of every legal shape: signs, long digit runs, trailing zeros, exponents. */
    @Provide
    static Arbitrary<String> numbers() {
        Arbitrary<String> digits = Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(40);
        Arbitrary<String> intPart = Combinators.combine(Arbitraries.integers().between(1, 9), digits.injectNull(0.3))
                .as((lead, rest) -> lead + (rest == null ? "" : rest));
        Arbitrary<String> integer = Arbitraries.oneOf(Arbitraries.just("0"), intPart);
        Arbitrary<String> fraction = digits.map(d -> "." + d).injectNull(0.4);
        Arbitrary<String> exponent = Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
                Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(3))
                .as((e, s, d) -> e + s + d).injectNull(0.6);
        return Combinators.combine(Arbitraries.of("", "-"), integer, fraction, exponent)
                .as((sign, i, f, e) -> sign + i + (f == null ? "" : f) + (e == null ? "" : e));
    }

    /** Values the CLI accepts: numbers alone, in arrays and objects, next to strings. */
    @Provide
    static Arbitrary<String> values() {
        return Arbitraries.oneOf(numbers(),
                numbers().list().ofMinSize(1).ofMaxSize(4).map(l -> "[" + String.join(", ", l) + "]"),
                numbers().list().ofMinSize(1).ofMaxSize(3).map(l -> {
                    StringBuilder b = new StringBuilder("{");
                    for (int i = 0; i < l.size(); i++) {
                        b.append(i == 0 ? "" : ", ").append("\"k").append(i).append("\\u00e9\": ").append(l.get(i));
                    }
                    return b.append(", \"s\": \"1.10\"}").toString();
                }));
    }

    private static CliResult cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = LockscopeCommand.newCommandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new CliResult(code, out.toString(), err.toString());
    }

    private record CliResult(int code, String out, String err) {
    }

    @Property(tries = 50)
    void guiParseSaveThenRecordsGetGivesTheCliCanonicalText(@ForAll("values") String text) throws Exception {
        int n = FILES.incrementAndGet();
        Path viaCli = dir.resolve("cli-" + n + ".json");
        Path viaGui = dir.resolve("gui-" + n + ".json");
        CliResult put = cli("records", "put", viaCli.toString(), "v", text);
        assertThat(put.code()).as("the CLI accepts %s: %s", text, put.err()).isZero();

        ScriptedDialogs dialogs = new ScriptedDialogs();
        RecordsViewModel vm = new RecordsViewModel(BackgroundIo.synchronous(), dialogs, new ManualWatchGateway());
        vm.open(viaGui, true);
        dialogs.textAnswers.add("v");
        vm.addRecord();
        vm.editorTextProperty().set(text);
        assertThat(vm.validationProperty().get()).isEmpty();
        vm.applyEdit();
        vm.save();

        CliResult fromGui = cli("records", "get", viaGui.toString(), "v");
        CliResult fromCli = cli("records", "get", viaCli.toString(), "v");
        assertThat(fromGui.code()).as(fromGui.err()).isZero();
        assertThat(fromGui.out()).isEqualTo(fromCli.out())
                .isEqualTo(RecordFormat.toJson(RecordFormat.parseValue(text), false) + System.lineSeparator());
        // The GUI shows the saved value with the same digits.
        vm.select("v");
        assertThat(RecordFormat.toJson(RecordFormat.parseValue(vm.editorTextProperty().get()), false))
                .isEqualTo(fromCli.out().strip());
    }

    /** Near-JSON number texts ("-" alone is the CLI's "read standard input"): the GUI refuses what the CLI refuses. */
    @Property(tries = 150)
    void theGuiAcceptsExactlyWhatTheCliAccepts(@ForAll("nearNumbers") String text) {
        int n = FILES.incrementAndGet();
        CliResult put = cli("records", "put", dir.resolve("accept-" + n + ".json").toString(), "v", text);
        assertThat(JsonInput.problem(text).isEmpty()).as("GUI accepts %s (CLI said %s)", text, put.err())
                .isEqualTo(put.code() == 0);
    }

    @Provide
    static Arbitrary<String> nearNumbers() {
        return Arbitraries.oneOf(numbers(), Arbitraries.of("01", ".5", "5.", "+1", "NaN", "Infinity", "--1", "1e",
                        "0x10", "1_000", "{} garbage", "{\"a\":1,\"a\":2}", "[1,]", "1 2", "\"\\u12\"", "-0", "1E+400"),
                Combinators.combine(numbers(), Arbitraries.of(" ", "x", ",", "]", " 1", "}")).as((a, b) -> a + b));
    }

    /** The issue's examples, always tried. */
    @net.jqwik.api.Example
    void theIssuesExamples() throws Exception {
        for (String text : List.of("1.10", "12345678901234567890.5", "[1.10, 1E+400, -0.0]")) {
            guiParseSaveThenRecordsGetGivesTheCliCanonicalText(text);
        }
    }
}
