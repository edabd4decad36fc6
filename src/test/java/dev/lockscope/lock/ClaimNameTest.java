package dev.lockscope.lock;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The claim and broken-leftover names: what is written parses back, whatever the lock's name holds. */
class ClaimNameTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    @Provide
    Arbitrary<String> lockNames() {
        // Any name LockFile.of accepts: line breaks and other controls included.
        return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(40)
                .filter(n -> n.indexOf('/') < 0 && n.indexOf('\0') < 0 && !n.contains(".."))
                .filter(n -> !n.equals("."));
    }

    @Property(tries = 1000)
    void everyClaimNameWrittenParsesBack(@ForAll("lockNames") String lockName) {
        ClaimName written = ClaimName.of(lockName, "host \u202e\n", 4242, TOKEN);
        assertThat(ClaimName.parse(written.fileName())).isEqualTo(written);
    }

    /** ASCII with controls: a Path holds only what the JVM's file-name encoding can (POSIX locale: ASCII). */
    @Provide
    Arbitrary<String> asciiLockNames() {
        return Arbitraries.strings().withCharRange('\u0001', '\u007f').ofMinLength(1).ofMaxLength(40)
                .filter(n -> n.indexOf('/') < 0 && !n.contains("..") && !n.equals("."));
    }

    @Property(tries = 1000)
    void everyBrokenNameWrittenParsesBack(@ForAll("asciiLockNames") String lockName) {
        Path broken = LockFile.of(Path.of("/d"), lockName).brokenPath(1_700_000_000_000L, "tag.w");
        assertThat(LockFile.parseBroken(broken.getFileName().toString()))
                .contains(new LockFile.BrokenName(lockName, 1_700_000_000_000L));
    }

    /** Without DOTALL the breaker never found, so never removed, the claim of a lock named with a newline. */
    @Test
    void theClaimOfALockWhoseNameHoldsANewlineIsFound() throws Exception {
        LockFile lock = LockFile.of(dir, "two\nlines.lock");
        LockOwner owner = new LockOwner(LockOwner.FORMAT, "far", "far-id", null, null, "tester", 77, null, TOKEN,
                10_000, System.currentTimeMillis(), "test");
        Path claim = dir.resolve(ClaimName.of(lock.name(), owner.host(), owner.pid(), owner.token()).fileName());
        Files.write(claim, owner.toBytes());
        assertThat(lock.findClaim(owner)).contains(claim);
    }
}
