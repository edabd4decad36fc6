package dev.lockscope.ui;

import dev.lockscope.ui.common.BackgroundIo;
import dev.lockscope.ui.common.IoFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One message per real cause: each failure here is produced by a real file-system call, run through
 * {@link BackgroundIo}, and must come back with its own cause and words, never a Java class name. (A timeout: BackgroundIoTest.)
 */
class FailureMessagesTest {

    @TempDir
    Path tmp;

    /** Runs {@code work} through a synchronous BackgroundIo and returns the failure it reported. */
    private static IoFailure failureOf(String what, Callable<?> work) {
        AtomicReference<IoFailure> failure = new AtomicReference<>();
        BackgroundIo.synchronous().submit(what, work, ok -> { }, failure::set);
        assertThat(failure.get()).as("a failure for " + what).isNotNull();
        assertThat(failure.get().message()).doesNotContain("Exception").doesNotContain("java.");
        return failure.get();
    }

    @Test
    void aMissingDirectoryIsNotFoundAndNamed() {
        Path gone = tmp.resolve("deleted");
        IoFailure f = failureOf("reading " + gone, () -> Files.list(gone).count());
        assertThat(f.cause()).isEqualTo(IoFailure.Cause.NOT_FOUND);
        assertThat(f.message()).contains(gone.toString(), "deleted").doesNotContain("hung");
    }

    @Test
    void aFileWhereADirectoryIsExpectedIsSaidSo() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        IoFailure f = failureOf("reading " + file, () -> {
            try (var ds = Files.newDirectoryStream(file)) {
                return ds.iterator().hasNext();
            }
        });
        assertThat(f.cause()).isEqualTo(IoFailure.Cause.NOT_A_DIRECTORY);
        assertThat(f.message()).contains("Not a directory", file.toString());
    }

    @Test
    void anOtherErrorCarriesTheOperatingSystemsErrnoText() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("target"));
        IoFailure f = failureOf("opening " + link, () -> {
            try (FileChannel c = FileChannel.open(link, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                return c.size();
            }
        });
        assertThat(f.cause()).isEqualTo(IoFailure.Cause.IO_ERROR);
        assertThat(f.message()).contains("Too many levels of symbolic links", link.toString());
    }

    @Test
    void aReadOnlyFileSystemIsNamedAsSuch() {
        String limits = System.getenv("LOCKSCOPE_TEST_LIMITS");
        assumeTrue(limits != null, "LOCKSCOPE_TEST_LIMITS (a read-only mount, set up by .ci/run) is not set");
        Path target = Path.of(limits, "ro", "probe");
        IoFailure f = failureOf("writing " + target, () -> Files.writeString(target, "x"));
        assertThat(f.cause()).isEqualTo(IoFailure.Cause.READ_ONLY);
        assertThat(f.message()).contains("Read-only file system", target.toString());
    }

    @Test
    void aPermissionDeniedFileIsNamedAsSuch() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "x");
        Files.setPosixFilePermissions(secret, java.util.Set.of());
        assumeTrue(!Files.isReadable(secret), "running as root: see LocksViewModelFailureTest for the real case");
        IoFailure f = failureOf("reading " + secret, () -> Files.readString(secret));
        assertThat(f.cause()).isEqualTo(IoFailure.Cause.PERMISSION_DENIED);
        assertThat(f.message()).contains("Permission denied", secret.toString());
    }
}
