package dev.lockscope;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Makes the shaded jar's JavaFX native libraries for this platform loadable, before JavaFX starts.
 *
 * <p>The shaded jar carries the natives of four platforms under {@code natives/<os>-<arch>/}, because the
 * x64 and aarch64 libraries of one OS have the same file names and JavaFX only looks for them at the jar
 * root (see the pom). This class copies the running platform's set to a cache directory and prepends that
 * directory to {@code java.library.path}, which JavaFX 21's {@code NativeLibLoader} reads at load time.
 * Outside the shaded jar (module path, jlink'ed runtime) it does nothing: JavaFX finds its natives itself.
 *
 * <p>Main thread only, once, before the first JavaFX class is loaded.
 */
public final class JavaFxNatives {
    static final String PREFIX = "natives/";

    private JavaFxNatives() {
    }

    /**
     * The natives directory name for an {@code os.name}/{@code os.arch} pair, or null for a platform the jar
     * has no natives for.
     */
    static String platformKey(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (arch == null) {
            return null;
        }
        if (os.startsWith("linux")) {
            return "linux-" + arch;
        }
        if (os.startsWith("mac")) {
            return "mac-" + arch;
        }
        return null;
    }

    /**
     * Extracts this platform's natives from the jar this class was loaded from, if it is such a jar, and puts
     * them on {@code java.library.path}.
     *
     * @return the directory now on the library path, or null when there was nothing to do
     * @throws IOException when the natives are in the jar but cannot be extracted
     */
    public static Path prepare() throws IOException {
        String key = platformKey(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
        Path jar = ownJar();
        if (key == null || jar == null) {
            return null;
        }
        Path dir = extract(jar, key, cacheRoot());
        if (dir != null) {
            prependLibraryPath(dir);
        }
        return dir;
    }

    /** The jar file this class was loaded from, or null (class directory, jrt image). */
    private static Path ownJar() {
        CodeSource source = JavaFxNatives.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
            return null;
        }
        try {
            Path p = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    /** $XDG_CACHE_HOME/lockscope, else ~/.cache/lockscope. */
    private static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("lockscope");
    }

    /**
     * Copies {@code natives/<key>/*} from {@code jar} into a directory under {@code cacheRoot} named by the
     * libraries' checksums, so that a different build never reuses another's files and the same build
     * extracts only once. Another process may extract at the same moment: each writes into its own temporary
     * directory and renames it into place; the loser uses the winner's.
     *
     * @return the directory holding the libraries, or null when the jar has none for {@code key}
     */
    static Path extract(Path jar, String key, Path cacheRoot) throws IOException {
        String dirPrefix = PREFIX + key + "/";
        try (JarFile jf = new JarFile(jar.toFile())) {
            List<JarEntry> libs = new ArrayList<>();
            jf.stream().filter(e -> !e.isDirectory() && e.getName().startsWith(dirPrefix)
                            && e.getName().indexOf('/', dirPrefix.length()) < 0)
                    .sorted(Comparator.comparing(JarEntry::getName))
                    .forEach(libs::add);
            if (libs.isEmpty()) {
                return null;
            }
            Path target = cacheRoot.resolve("javafx-natives").resolve(key + "-" + fingerprint(libs));
            if (isComplete(target, libs, dirPrefix)) {
                return target;
            }
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempDirectory(target.getParent(), ".extracting-");
            try {
                for (JarEntry e : libs) {
                    try (InputStream in = jf.getInputStream(e)) {
                        Files.copy(in, temp.resolve(e.getName().substring(dirPrefix.length())));
                    }
                }
                // A directory that exists but does not match was altered after its rename (extraction itself
                // never leaves one half-written): replace it.
                deleteTree(target);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                    // another start won the race (or left an incomplete directory, checked below)
                } catch (IOException e) {
                    if (!Files.isDirectory(target)) {
                        throw e;
                    }
                }
            } finally {
                deleteTree(temp);
            }
            if (!isComplete(target, libs, dirPrefix)) {
                throw new IOException("the JavaFX libraries in " + target + " do not match the jar's; delete that directory");
            }
            return target;
        }
    }

    /** A short checksum over the libraries' names, sizes and CRCs as the jar records them. */
    private static String fingerprint(List<JarEntry> libs) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (JarEntry e : libs) {
                md.update((e.getName() + ':' + e.getSize() + ':' + e.getCrc() + '\n').getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static boolean isComplete(Path dir, List<JarEntry> libs, String dirPrefix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        for (JarEntry e : libs) {
            Path f = dir.resolve(e.getName().substring(dirPrefix.length()));
            if (!Files.isRegularFile(f) || Files.size(f) != e.getSize()) {
                return false;
            }
        }
        return true;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void prependLibraryPath(Path dir) {
        String old = System.getProperty("java.library.path", "");
        System.setProperty("java.library.path", old.isEmpty() ? dir.toString() : dir + File.pathSeparator + old);
    }
}
