package dev.lockscope;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The shaded jar's per-platform natives: which set a JVM picks, and that exactly that set is extracted. */
class JavaFxNativesTest {

    @Test
    void platformKeysForTheFourGuiPlatformsAndNoOther() {
        assertThat(JavaFxNatives.platformKey("Linux", "amd64")).isEqualTo("linux-x64");
        assertThat(JavaFxNatives.platformKey("Linux", "aarch64")).isEqualTo("linux-aarch64");
        assertThat(JavaFxNatives.platformKey("Mac OS X", "x86_64")).isEqualTo("mac-x64");
        assertThat(JavaFxNatives.platformKey("Mac OS X", "aarch64")).isEqualTo("mac-aarch64");
        assertThat(JavaFxNatives.platformKey("Windows 11", "amd64")).isNull();
        assertThat(JavaFxNatives.platformKey("Linux", "riscv64")).isNull();
    }

    @Test
    void extractsOnlyTheRequestedPlatformAndReusesIt(@TempDir Path tmp) throws IOException {
        Path jar = jar(tmp.resolve("app.jar"), Map.of(
                "natives/linux-x64/libglass.so", "x64 glass",
                "natives/linux-x64/libprism_es2.so", "x64 es2",
                "natives/linux-aarch64/libglass.so", "aarch64 glass",
                "libglass.so", "root copy"));
        Path cache = tmp.resolve("cache");

        Path dir = JavaFxNatives.extract(jar, "linux-aarch64", cache);

        assertThat(dir).isNotNull();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("libglass.so");
        }
        assertThat(Files.readString(dir.resolve("libglass.so"))).isEqualTo("aarch64 glass");
        long written = Files.getLastModifiedTime(dir.resolve("libglass.so")).toMillis();
        Files.setLastModifiedTime(dir.resolve("libglass.so"), java.nio.file.attribute.FileTime.fromMillis(written - 60_000));

        assertThat(JavaFxNatives.extract(jar, "linux-aarch64", cache)).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(dir.resolve("libglass.so")).toMillis())
                .as("the second start reuses the extracted file").isEqualTo(written - 60_000);
        try (var left = Files.list(dir.getParent())) {
            assertThat(left).as("no temporary directory left").containsExactly(dir);
        }
    }

    @Test
    void aTruncatedExtractionIsReplaced(@TempDir Path tmp) throws IOException {
        Path jar = jar(tmp.resolve("app.jar"), Map.of("natives/mac-aarch64/libglass.dylib", "arm glass"));
        Path dir = JavaFxNatives.extract(jar, "mac-aarch64", tmp.resolve("cache"));
        Files.writeString(dir.resolve("libglass.dylib"), "arm");

        Path again = JavaFxNatives.extract(jar, "mac-aarch64", tmp.resolve("cache"));

        assertThat(Files.readString(again.resolve("libglass.dylib"))).isEqualTo("arm glass");
    }

    @Test
    void aJarWithoutThisPlatformsNativesIsLeftAlone(@TempDir Path tmp) throws IOException {
        Path jar = jar(tmp.resolve("app.jar"), Map.of("natives/linux-x64/libglass.so", "x64 glass"));

        assertThat(JavaFxNatives.extract(jar, "mac-x64", tmp.resolve("cache"))).isNull();
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    private static Path jar(Path file, Map<String, String> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out)) {
            for (var e : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                jar.closeEntry();
            }
        }
        return file;
    }
}
