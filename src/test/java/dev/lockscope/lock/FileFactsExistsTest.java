package dev.lockscope.lock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link FileFacts#exists}: an entry by lstat, a link counted as itself and never followed. */
class FileFactsExistsTest {

    @TempDir
    Path dir;

    @Test
    void aFileExistsAndAMissingNameDoesNot() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        assertThat(FileFacts.exists(f)).isTrue();
        assertThat(FileFacts.exists(dir.resolve("missing"))).isFalse();
    }

    /** A dangling link is an entry (a stat that followed it would say "missing"). */
    @Test
    void aDanglingSymbolicLinkIsAnEntry() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("nowhere"));
        assertThat(FileFacts.exists(link)).isTrue();
        assertThat(FileFacts.linksOrNull(link)).as("the same answer as the link-count lstat").isNotNull();
    }
}
