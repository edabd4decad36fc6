package dev.lockscope;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start another JVM running this build (bench workers, demo holders, test children). Stateless; any thread.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** The java binary running this JVM. */
    public static String javaBinary() {
        return ProcessHandle.current().info().command()
                .filter(cmd -> Files.isExecutable(Path.of(cmd)))
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * This JVM's module path and class path as one absolute class path: a child started on it finds the same
     * classes whether we run from the shaded jar, from Maven's module path or from an IDE.
     */
    public static String classPath() {
        List<String> parts = new ArrayList<>();
        for (String key : new String[] {"jdk.module.path", "java.class.path"}) {
            String v = System.getProperty(key);
            if (v != null && !v.isBlank()) {
                for (String p : v.split(File.pathSeparator)) {
                    if (!p.isBlank()) {
                        String abs = Path.of(p).toAbsolutePath().toString();
                        if (!parts.contains(abs)) {
                            parts.add(abs);
                        }
                    }
                }
            }
        }
        return String.join(File.pathSeparator, parts);
    }
}
