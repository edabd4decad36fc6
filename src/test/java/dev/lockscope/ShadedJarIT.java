package dev.lockscope;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opens the shaded jar that {@code mvn package} built and checks that it can start the GUI on Linux and macOS,
 * x64 and aarch64: each platform's JavaFX libraries under natives/, none at the root where the platforms would
 * overwrite each other, and macOS's own glass classes. Runs in the integration-test phase (failsafe).
 */
@Tag("shipped-jar")
class ShadedJarIT {
    private static final List<String> COMMON = List.of("glass", "prism_common", "prism_es2", "prism_sw",
            "decora_sse", "javafx_font", "javafx_iio");
    private static final List<String> LINUX_ONLY = List.of("glassgtk3", "javafx_font_freetype", "javafx_font_pango");

    private static Path jar() {
        Path jar = Path.of(System.getProperty("lockscope.jar", "target/lockscope.jar"));
        assertThat(jar).as("the shaded jar (run mvn package first)").isRegularFile();
        return jar;
    }

    private static Set<String> names() throws IOException {
        try (JarFile jf = new JarFile(jar().toFile())) {
            return jf.stream().filter(e -> !e.isDirectory()).map(JarEntry::getName).collect(Collectors.toSet());
        }
    }

    @Test
    void everyGuiPlatformHasItsNativeLibraries() throws IOException {
        Set<String> names = names();
        for (String platform : List.of("linux-x64", "linux-aarch64")) {
            for (String lib : concat(COMMON, LINUX_ONLY)) {
                assertThat(names).contains("natives/" + platform + "/lib" + lib + ".so");
            }
        }
        for (String platform : List.of("mac-x64", "mac-aarch64")) {
            for (String lib : COMMON) {
                assertThat(names).contains("natives/" + platform + "/lib" + lib + ".dylib");
            }
        }
    }

    @Test
    void theCopiesAreTheRightArchitecture() throws IOException {
        try (JarFile jf = new JarFile(jar().toFile())) {
            // ELF e_machine at offset 18: 0x3e x86-64, 0xb7 AArch64; Mach-O cputype at offset 4: 7|ABI64 x86-64, 12|ABI64 arm64
            assertThat(header(jf, "natives/linux-x64/libglass.so")[18] & 0xff).isEqualTo(0x3e);
            assertThat(header(jf, "natives/linux-aarch64/libglass.so")[18] & 0xff).isEqualTo(0xb7);
            assertThat(header(jf, "natives/mac-x64/libglass.dylib")[4] & 0xff).isEqualTo(7);
            assertThat(header(jf, "natives/mac-aarch64/libglass.dylib")[4] & 0xff).isEqualTo(12);
        }
    }

    @Test
    void noNativeLibraryAtTheRootWherePlatformsWouldClash() throws IOException {
        assertThat(names()).noneMatch(n -> !n.contains("/") && (n.endsWith(".so") || n.endsWith(".dylib")));
    }

    @Test
    void macGlassClassesAreIn() throws IOException {
        assertThat(names()).contains("com/sun/glass/ui/mac/MacApplication.class", "com/sun/prism/es2/MacGLFactory.class",
                "com/sun/glass/ui/gtk/GtkApplication.class", "com/sun/prism/es2/X11GLFactory.class");
    }

    private static byte[] header(JarFile jf, String name) throws IOException {
        JarEntry e = jf.getJarEntry(name);
        assertThat(e).as(name).isNotNull();
        try (var in = jf.getInputStream(e)) {
            return in.readNBytes(32);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
