package dev.lockscope.lock;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The break audit record: records written by the first version read the same and are written byte for byte alike. */
public class BreakAuditTest {

    /** A record as LockBreaker wrote it before BreakAudit existed (Jackson's default pretty printer): a broken dead lock. */
    public static final String BROKEN_V1 = """
            {
              "format" : "lockscope-break/1",
              "lock" : "/shared/locks/build.lock",
              "outcome" : "BROKEN",
              "message" : "broke lock /shared/locks/build.lock held by pid 4242 on host vm1 [DEAD: owner pid 4242 is gone]",
              "forced" : false,
              "brokenBy" : "ops@vm2",
              "breakerHostId" : "0f1e2d3c",
              "breakerPid" : 777,
              "at" : "2026-11-30T12:00:00.123Z",
              "verdict" : "DEAD",
              "reason" : "owner pid 4242 is gone",
              "evidence" : {
                "inode" : 123456,
                "mtimeMillis" : 1764504000000,
                "size" : 312,
                "nlink" : 2,
                "serverNowMillis" : 1764504001000,
                "heartbeatAgeMillis" : 1000
              },
              "owner" : {
                "format" : "lockscope-owner/1",
                "host" : "vm1",
                "hostId" : "0f1e2d3c",
                "pid" : 4242,
                "token" : "0123456789abcdef0123456789abcdef",
                "leaseMillis" : 30000,
                "acquiredAt" : 1764503990000,
                "purpose" : null
              },
              "movedTo" : "build.lock.broken.1764504000123.abc"
            }""";

    /** A forced break of a lock without an owner record that could not be put back: content and keptAs. */
    static final String RESTORE_FAILED_V1 = """
            {
              "format" : "lockscope-break/1",
              "lock" : "/shared/locks/x.lock",
              "outcome" : "RESTORE_FAILED",
              "message" : "lock changed while being broken",
              "forced" : true,
              "brokenBy" : "?@vm2",
              "breakerHostId" : "0f1e2d3c",
              "breakerPid" : 778,
              "at" : "2026-11-30T12:00:01Z",
              "verdict" : "UNKNOWN",
              "reason" : null,
              "evidence" : {
                "inode" : 9,
                "mtimeMillis" : 1,
                "size" : 4,
                "nlink" : 1,
                "serverNowMillis" : -1,
                "heartbeatAgeMillis" : -1,
                "content" : "junk\\u001B[2J"
              },
              "movedTo" : "x.lock.broken.1.abc",
              "keptAs" : "/shared/locks/x.lock.broken.1.abc"
            }""";

    @TempDir
    Path dir;

    @Test
    void firstVersionRecordsReadAndAreWrittenByteForByteAlike() throws Exception {
        for (String v1 : List.of(BROKEN_V1, RESTORE_FAILED_V1)) {
            JsonNode tree = JsonMappers.audit().readTree(v1);
            BreakAudit a = BreakAudit.of(tree);
            assertThat(new String(a.toBytes(), StandardCharsets.UTF_8)).isEqualTo(v1);
        }
        BreakAudit broken = BreakAudit.of(JsonMappers.audit().readTree(BROKEN_V1));
        assertThat(broken.outcome()).isEqualTo("BROKEN");
        assertThat(broken.brokenBy()).isEqualTo("ops@vm2");
        assertThat(broken.forced()).isFalse();
        assertThat(broken.evidence().inode()).isEqualTo(123456);
        assertThat(broken.evidence().content()).isNull();
        assertThat(broken.owner().path("token").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(broken.keptAs()).isNull();
        BreakAudit failed = BreakAudit.of(JsonMappers.audit().readTree(RESTORE_FAILED_V1));
        assertThat(failed.forced()).isTrue();
        assertThat(failed.evidence().content()).isEqualTo("junk\u001b[2J");
        assertThat(failed.keptAs()).isEqualTo("/shared/locks/x.lock.broken.1.abc");
    }

    /** Missing and mistyped fields read as defaults, never as an error (the audit directory is hostile ground). */
    @Test
    void aRecordMissingFieldsReadsWithDefaults() throws Exception {
        BreakAudit a = BreakAudit.of(JsonMappers.audit().readTree("{\"outcome\":[1],\"forced\":\"yes\"}"));
        assertThat(a.at()).isEmpty();
        assertThat(a.lock()).isEmpty();
        assertThat(a.verdict()).isEqualTo("?");
        assertThat(a.brokenBy()).isEqualTo("?");
        assertThat(a.forced()).isFalse();
        assertThat(a.evidence()).isNull();
        assertThat(a.owner()).isNull();
    }

    /** A real break writes the first version's fields, in its order. */
    @Test
    void aRealBreakWritesTheFirstVersionsFieldsInOrder() throws Exception {
        LockFile file = LockFile.of(dir, "r.lock");
        TestLocks.writeDeadLock(file);
        LinkLock lock = LinkLock.of(file, LockOptions.defaults());
        BreakResult r = lock.breakLock(lock.inspect(), false);
        assertThat(r.outcome()).isEqualTo(BreakResult.Outcome.BROKEN);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir.resolve(LockFile.AUDIT_DIR))) {
            files = s.toList();
        }
        assertThat(files).singleElement();
        JsonNode written = JsonMappers.audit().readTree(files.get(0).toFile());
        assertThat(fieldNames(written)).containsExactlyElementsOf(fieldNames(JsonMappers.audit().readTree(BROKEN_V1)));
        assertThat(fieldNames(written.get("evidence")))
                .containsExactlyElementsOf(fieldNames(JsonMappers.audit().readTree(BROKEN_V1).get("evidence")));
        assertThat(Files.readString(files.get(0))).isEqualTo(new String(BreakAudit.of(written).toBytes(),
                StandardCharsets.UTF_8));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
