package dev.lockscope.lock;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Whole-file reads through and around the page cache, on this machine's temp filesystem. */
class WholeFileReadTest {
    @TempDir
    Path dir;

    /**
     * Any length, around block boundaries too, and any size hint (a stale cached size may be smaller or larger
     * than the file): both ways read exactly the file.
     */
    @Property(tries = 60)
    void bothWaysReadTheWholeFile(@ForAll @IntRange(min = 0, max = 40_000) int length,
                                  @ForAll @IntRange(min = 0, max = 40_000) int sizeHint,
                                  @ForAll boolean nearABlockBoundary) throws IOException {
        Path tmp = Files.createTempDirectory("whole-file-read");
        int n = nearABlockBoundary ? Math.max(0, length / 4096 * 4096 + length % 3 - 1) : length;
        byte[] content = new byte[n];
        new Random(length).nextBytes(content);
        Path f = tmp.resolve("f");
        Files.write(f, content);
        try (WholeFileRead.Opened in = WholeFileRead.open(f)) {
            assertThat(WholeFileRead.readToEnd(in, sizeHint, 1 << 20, this::tooLarge)).isEqualTo(content);
        }
        try (WholeFileRead.Opened in = WholeFileRead.open(f)) {
            assertThat(WholeFileRead.readAtMost(in, 4096)).isEqualTo(Arrays.copyOf(content, Math.min(n, 4096)));
        }
        WholeFileRead.Opened direct = openDirectOrNull(f);
        if (direct != null) {
            try (WholeFileRead.Opened in = direct) {
                assertThat(WholeFileRead.readToEnd(in, sizeHint, 1 << 20, this::tooLarge)).isEqualTo(content);
            }
            try (WholeFileRead.Opened in = openDirectOrNull(f)) {
                assertThat(WholeFileRead.readAtMost(in, 4096)).isEqualTo(Arrays.copyOf(content, Math.min(n, 4096)));
            }
        }
        Files.delete(f);
        Files.delete(tmp);
    }

    @Test
    void moreThanTheBoundIsRefusedBothWays() throws IOException {
        Path f = dir.resolve("f");
        Files.write(f, new byte[20_000]);
        try (WholeFileRead.Opened in = WholeFileRead.open(f)) {
            assertThatThrownBy(() -> WholeFileRead.readToEnd(in, 100, 10_000, this::tooLarge))
                    .hasMessageStartingWith("too large: ");
        }
        WholeFileRead.Opened probe = openDirectOrNull(f);
        assumeThat(probe).as("O_DIRECT on the temp filesystem").isNotNull();
        probe.close();
        try (WholeFileRead.Opened in = WholeFileRead.openDirect(f)) {
            assertThatThrownBy(() -> WholeFileRead.readToEnd(in, 100, 10_000, this::tooLarge))
                    .hasMessageStartingWith("too large: ");
        }
        try (WholeFileRead.Opened in = WholeFileRead.openDirect(f)) {
            assertThat(WholeFileRead.readToEnd(in, 100, 20_000, this::tooLarge)).hasSize(20_000);
        }
    }

    /** Null on a temp filesystem that refuses O_DIRECT (the store then reads through the cache). */
    private static WholeFileRead.Opened openDirectOrNull(Path f) {
        try {
            return WholeFileRead.openDirect(f);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private IOException tooLarge(long size) {
        return new IOException("too large: " + size);
    }
}
