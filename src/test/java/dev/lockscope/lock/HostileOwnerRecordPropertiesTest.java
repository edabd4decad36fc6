package dev.lockscope.lock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.scan.DirectoryScanner;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, the property: arbitrary owner records (any strings, any numbers, wrong types, this host's own ids, paths
 * that walk out) in a lock file, fed to what status, ls, break and a waiting {@code run} do. Around the lock
 * directory lie sentinel files, and inside it the directories that would make a claim path built from a token
 * resolve to them. After every try nothing outside the lock directory has changed, and every path the calls
 * report acting on lies directly in the lock directory (or its audit directory).
 */
class HostileOwnerRecordPropertiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HostIdentity ME = HostIdentity.current();
    private static final long DEAD_PID;

    static {
        try {
            DEAD_PID = TestLocks.deadPid();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One hostile record: each field a string, a number or absent, as the generator chose. */
    record Hostile(Map<String, Object> fields, long mtimeOffsetMillis) {
    }

    @Provide
    Arbitrary<Hostile> records() {
        Arbitrary<Object> text = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40).map(s -> (Object) s),
                Arbitraries.strings().withChars("./\\\u0000\n").ofMaxLength(12).map(s -> (Object) s),
                Arbitraries.of("/../../victim", "/../records.json", "../victim", "..", ".", "/", "", "a/b",
                        "/../../sentinel/file", "../../../../../../../../tmp", Tokens.next(),
                        Tokens.next().toUpperCase(), ME.hostName(), ME.hostId(), String.valueOf(ME.bootId()),
                        String.valueOf(ME.pidNamespace()), "x".repeat(5000)).map(s -> (Object) s),
                Arbitraries.longs().map(n -> (Object) n),
                Arbitraries.just(null));
        Arbitrary<Object> number = Arbitraries.oneOf(
                Arbitraries.longs().map(n -> (Object) n),
                Arbitraries.of(0L, -1L, 1L, Long.MAX_VALUE, Long.MIN_VALUE, DEAD_PID, ProcessHandle.current().pid(),
                        (long) Integer.MAX_VALUE + 1).map(n -> (Object) n),
                Arbitraries.of("12", "/../victim", "1e400").map(s -> (Object) s),
                Arbitraries.just(null));
        Arbitrary<Object> hostId = Arbitraries.oneOf(Arbitraries.just(ME.hostId()), text);
        Arbitrary<Object> bootId = Arbitraries.oneOf(Arbitraries.just(ME.bootId()), text);
        Arbitrary<Object> ns = Arbitraries.oneOf(Arbitraries.just(ME.pidNamespace()), text);
        Arbitrary<Object> pid = Arbitraries.oneOf(Arbitraries.just(DEAD_PID), number);
        Arbitrary<Map<String, Object>> identity = Combinators.combine(text, hostId, bootId, ns, text, pid, text)
                .as((host, hid, boot, pns, user, p, token) -> {
                    Map<String, Object> m = new TreeMap<>();
                    m.put("format", LockOwner.FORMAT);
                    m.put("host", host);
                    m.put("hostId", hid);
                    m.put("bootId", boot);
                    m.put("pidNamespace", pns);
                    m.put("user", user);
                    m.put("pid", p);
                    m.put("token", token);
                    return m;
                });
        return Combinators.combine(identity, number, number, number, number, number, text,
                        Arbitraries.longs().between(-2_000_000_000_000L, 2_000_000_000_000L))
                .as((m, start, lease, at, ticks, boot, purpose, mtime) -> {
                    Map<String, Object> all = new TreeMap<>(m);
                    all.put("startTime", start);
                    all.put("leaseMillis", lease);
                    all.put("acquiredAt", at);
                    all.put("startTicks", ticks);
                    all.put("bootTime", boot);
                    all.put("purpose", purpose);
                    return new Hostile(all, mtime);
                });
    }

    @Property(tries = 60)
    void noHostileRecordMakesStatusLsBreakOrAWaiterTouchAnythingOutsideTheDirectory(
            @ForAll("records") Hostile hostile) throws Exception {
        Path base = Files.createTempDirectory("lockscope-hostile-");
        try {
            Path dir = Files.createDirectory(base.resolve("shared"));
            Files.writeString(base.resolve("victim"), "precious");
            Files.writeString(base.resolve("records.json"), "{}");
            Files.createDirectories(base.resolve("sentinel")).resolve("file").toFile().createNewFile();
            Files.writeString(dir.resolve("records.json"), "{\"inside\":true}");
            Map<String, String> outsideBefore = outside(base, dir);

            LockFile file = LockFile.of(dir, "job.lock");
            List<Path> actedOn = new ArrayList<>();
            plant(file, hostile);

            LinkLock lock = LinkLock.of(file, LockOptions.defaults().withLease(Duration.ofMillis(300)));
            Verdict status = lock.inspect();
            actedOn.add(status.lock());
            new DirectoryScanner(dir).refresh();
            try {
                LockHandle h = lock.acquire(Duration.ofMillis(150));
                actedOn.add(h.claimPath());
                h.release();
            } catch (LockTimeoutException expected) {
                // held, unknown or unbreakable: a waiter gives up, having touched nothing outside
            }
            if (!Files.exists(file.path(), LinkOption.NOFOLLOW_LINKS)) {
                plant(file, hostile);
            }
            for (boolean force : new boolean[] {false, true}) {
                BreakResult r = lock.breakLock(lock.inspect(), force);
                if (r.auditFile() != null) {
                    actedOn.add(r.auditFile().getParent());
                }
            }

            assertThat(outside(base, dir)).as("nothing outside %s changed", dir).isEqualTo(outsideBefore);
            assertThat(dir.resolve("records.json")).hasContent("{\"inside\":true}");
            for (Path p : actedOn) {
                Path parent = p.getParent();
                assertThat(parent.equals(dir) || parent.equals(file.auditDirectory())).as(p.toString()).isTrue();
            }
        } finally {
            deleteTree(base);
        }
    }

    /** The lock file with the record, its mtime, and the traps a claim path built from the record would fall in. */
    private static void plant(LockFile file, Hostile hostile) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        hostile.fields().forEach((k, v) -> {
            if (v instanceof Long l) {
                n.put(k, l);
            } else if (v instanceof String s) {
                n.put(k, s);
            }
        });
        byte[] bytes = JSON.writeValueAsBytes(n);
        Files.write(file.path(), bytes);
        Files.setLastModifiedTime(file.path(), FileTime.fromMillis(System.currentTimeMillis()
                + hostile.mtimeOffsetMillis()));
        Object host = hostile.fields().get("host");
        Object pid = hostile.fields().get("pid");
        String trap = "." + file.name() + "." + LockFile.safe(String.valueOf(host)) + "." + pid + ".";
        if (trap.indexOf('/') < 0 && trap.length() < 200) {
            try {
                Files.createDirectories(file.directory().resolve(trap).resolve("sub").resolve("subsub"));
            } catch (IOException ignored) {
                // an odd name this filesystem refuses: no trap then
            }
        }
    }

    /** Every entry under {@code base} but outside {@code dir}: path, type, size, mtime and content. */
    private static Map<String, String> outside(Path base, Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.filter(p -> !p.startsWith(dir)).toList()) {
                String what = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : Files.size(p) + " " + new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
                m.put(base.relativize(p).toString(), what + " @" + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS));
            }
        }
        return m;
    }

    private static void deleteTree(Path base) throws IOException {
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
