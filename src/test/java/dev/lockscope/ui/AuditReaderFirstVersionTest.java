package dev.lockscope.ui;

import dev.lockscope.lock.BreakAuditTest;
import dev.lockscope.lock.LockFile;
import dev.lockscope.ui.audit.AuditEntry;
import dev.lockscope.ui.audit.AuditReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Audit records written before {@code BreakAudit} existed still read in the inspector's audit view. */
class AuditReaderFirstVersionTest {

    @TempDir
    Path dir;

    /** The inspector's audit view reads a first-version file as it always did. */
    @Test
    void theAuditViewReadsAFirstVersionFile() throws Exception {
        Path audit = Files.createDirectories(dir.resolve(LockFile.AUDIT_DIR));
        Path file = Files.writeString(audit.resolve("1764504000123-build_lock-abcd0123.json"), BreakAuditTest.BROKEN_V1);
        List<AuditEntry> read = new AuditReader().read(dir);
        assertThat(read).singleElement().satisfies(e -> {
            assertThat(e.file()).isEqualTo(file);
            assertThat(e.at()).isEqualTo("2026-11-30T12:00:00.123Z");
            assertThat(e.lock()).isEqualTo("/shared/locks/build.lock");
            assertThat(e.outcome()).isEqualTo("BROKEN");
            assertThat(e.verdict()).isEqualTo("DEAD");
            assertThat(e.brokenBy()).isEqualTo("ops@vm2");
            assertThat(e.forced()).isFalse();
            assertThat(e.message()).startsWith("broke lock /shared/locks/build.lock");
            assertThat(e.text()).isEqualTo(BreakAuditTest.BROKEN_V1);
        });
    }

}
