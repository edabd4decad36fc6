package dev.lockscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockHandle;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.lock.LockOwner;
import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lockscope ls --format prometheus} through a real CLI process, its output read back by a real parser:
 * the Prometheus project's Python client (Debian package python3-prometheus-client, installed by .ci/run).
 */
@MultiProcess
class PrometheusFormatTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    /** Parses the exposition text on stdin and prints one JSON object per sample. */
    private static final String PARSER = String.join("\n",
            "import json, sys",
            "from prometheus_client.parser import text_string_to_metric_families",
            "for family in text_string_to_metric_families(sys.stdin.read()):",
            "    for s in family.samples:",
            "        print(json.dumps({'type': family.type, 'name': s.name, 'labels': s.labels, 'value': s.value}))");
    /** A lock name full of what the format must escape: quotes, backslashes, a line feed. */
    private static final String HOSTILE = "we\"ird\\name\n# TYPE x counter\nx{a=\"1\"} 9\\.lock";

    @TempDir
    Path dir;

    @TempDir
    Path other;

    @Test
    void countsPerStateStaleAgesAndScanFactsSurviveARealParser() throws Exception {
        expiredLock(dir.resolve(HOSTILE), "far\"host\\");
        try (LockHandle h = LinkLock.at(dir.resolve("db.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(5))) {
            TestJvm.Result r = TestJvm.runCli(List.of("ls", "--format", "prometheus", dir.toString(), other.toString(),
                    dir.toString()), Map.of(), null, 120);
            assertThat(r.exitCode()).as(r.stderr()).isZero();

            List<JsonNode> samples = parse(r.stdout());
            String d = dir.toAbsolutePath().normalize().toString();
            String o = other.toAbsolutePath().normalize().toString();
            assertThat(value(samples, "lockscope_locks", Map.of("dir", d, "state", "HELD"))).as(r.stdout()).isEqualTo(1);
            assertThat(value(samples, "lockscope_locks", Map.of("dir", d, "state", "EXPIRED"))).as(r.stdout()).isEqualTo(1);
            assertThat(value(samples, "lockscope_locks", Map.of("dir", d, "state", "DEAD"))).isZero();
            assertThat(value(samples, "lockscope_locks", Map.of("dir", o, "state", "HELD"))).isZero();
            double age = value(samples, "lockscope_stale_lock_age_seconds",
                    Map.of("dir", d, "lock", HOSTILE, "host", "far\"host\\", "state", "EXPIRED"));
            assertThat(age).isBetween(3500.0, 4000.0);
            assertThat(samples.stream().filter(s -> s.get("name").asText().equals("lockscope_stale_lock_age_seconds")))
                    .as("only the stale lock has an age").hasSize(1);
            assertThat(value(samples, "lockscope_scan_success", Map.of("dir", d))).isEqualTo(1);
            assertThat(value(samples, "lockscope_scan_errors", Map.of("dir", o))).isZero();
            assertThat(value(samples, "lockscope_scan_duration_seconds", Map.of("dir", d))).isBetween(0.0, 60.0);
            assertThat(samples.stream().filter(s -> s.get("name").asText().equals("lockscope_scan_success")))
                    .as("a directory named twice is one series").hasSize(2);
            assertThat(samples).noneMatch(s -> s.get("name").asText().equals("x"));
        }
    }

    @Test
    void aDirectoryThatCannotBeScannedIsReportedInTheMetricsAndExitIsZero() throws Exception {
        Path missing = dir.resolve("gone");
        TestJvm.Result r = TestJvm.runCli(List.of("ls", "--format", "prometheus", missing.toString()), Map.of(), null, 120);

        assertThat(r.exitCode()).isZero();
        assertThat(r.stderr()).contains("gone");
        List<JsonNode> samples = parse(r.stdout());
        assertThat(value(samples, "lockscope_scan_success", Map.of("dir", missing.toString()))).isZero();
        assertThat(value(samples, "lockscope_scan_errors", Map.of("dir", missing.toString()))).isEqualTo(1);
    }

    @Test
    void severalDirectoriesWithoutPrometheusAreAUsageError() throws Exception {
        TestJvm.Result r = TestJvm.runCli(List.of("ls", dir.toString(), other.toString()), Map.of(), null, 120);

        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.stderr()).contains("--format prometheus");
    }

    @Test
    void labelValuesEscapeExactlyWhatTheFormatNames() {
        assertThat(PrometheusFormat.escapeLabelValue("a\\b\"c\nd\te")).isEqualTo("a\\\\b\\\"c\\nd\te");
    }

    /**
     * An EXPIRED lock of another host whose heartbeat stopped an hour ago. Its claim is gone (as after a crash
     * that unlinked it), so the hostile name appears once.
     */
    private static void expiredLock(Path lock, String host) throws IOException {
        long hourAgo = System.currentTimeMillis() - 3600_000L;
        LockOwner owner = new LockOwner(LockOwner.FORMAT, host, "far-host-id", null, null, "ops", 777, null,
                "0123456789abcdef0123456789abcdef", 30_000, hourAgo, "expired in a test");
        Files.write(lock, owner.toBytes());
        Files.setLastModifiedTime(lock, FileTime.fromMillis(hourAgo));
    }

    private static List<JsonNode> parse(String exposition) throws Exception {
        if (!Files.isExecutable(PYTHON) || new ProcessBuilder(PYTHON.toString(), "-c", "import prometheus_client")
                .start().waitFor() != 0) {
            String msg = " the Prometheus parser is missing: apt-get install -y python3-prometheus-client";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but" + msg);
            }
            Assumptions.abort(msg);
        }
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", PARSER).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("the parser rejected:\n%s\n%s", exposition, err).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> samples = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                samples.add(json.readTree(line));
            }
        }
        return samples;
    }

    private static double value(List<JsonNode> samples, String name, Map<String, String> labels) {
        List<JsonNode> found = samples.stream().filter(s -> s.get("name").asText().equals(name)).filter(s -> {
            JsonNode l = s.get("labels");
            return l.size() == labels.size() && labels.entrySet().stream()
                    .allMatch(e -> l.has(e.getKey()) && l.get(e.getKey()).asText().equals(e.getValue()));
        }).toList();
        assertThat(found).as("%s%s in %s", name, labels, samples).hasSize(1);
        return found.get(0).get("value").asDouble();
    }
}
