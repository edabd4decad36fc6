package dev.lockscope.lock;

import dev.lockscope.testing.MultiProcess;
import dev.lockscope.testing.TestJvm;
import dev.lockscope.testing.Testbed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** EROFS, ENOSPC and EACCES give a clear error naming the path, and leave no claim file behind. */
@MultiProcess
class LockErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void readOnlyFilesystem() {
        Path ro = Testbed.limits("ro");
        assertThatThrownBy(() -> LinkLock.at(ro.resolve("r.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(1)))
                .isInstanceOf(LockException.class)
                .hasMessageContaining(ro.toString())
                .hasMessageContaining("Read-only file system");
    }

    @Test
    void fullFilesystemLeavesNoClaim() throws IOException {
        Path full = Testbed.limits("full");
        Path work = Files.createDirectories(full.resolve("lock-errors-" + ProcessHandle.current().pid()));
        Path filler = work.resolve("filler");
        try {
            fill(filler);
            assertThatThrownBy(() -> LinkLock.at(work.resolve("r.lock"), LockOptions.defaults()).acquire(Duration.ofSeconds(1)))
                    .isInstanceOf(LockException.class)
                    .hasMessageContaining(work.toString())
                    .hasMessageContaining("No space left on device");
            try (Stream<Path> s = Files.list(work)) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactly("filler");
            }
        } finally {
            Files.deleteIfExists(filler);
            Files.deleteIfExists(work);
        }
    }

    static void fill(Path filler) throws IOException {
        byte[] block = new byte[4096];
        try (var out = Files.newOutputStream(filler, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            while (true) {
                out.write(block);
                out.flush();
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        // Also use up what inodes and tail space remain: tiny files until even those fail.
        for (int i = 0; i < 10_000; i++) {
            try {
                Files.write(filler.resolveSibling("fill-" + i), new byte[1]);
            } catch (IOException e) {
                break;
            }
        }
        try (Stream<Path> s = Files.list(filler.getParent())) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("fill-")).toList()) {
                if (Files.size(p) == 0) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * Permission denied, as an unprivileged user in a real process: root ignores directory permissions,
     * so the CLI runs as "nobody" through setpriv.
     */
    @Test
    void permissionDeniedAsAnUnprivilegedUser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv"))
                && "root".equals(System.getProperty("user.name")), "needs root and setpriv");
        Path world = Files.createDirectories(tmp.resolve("world"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(world, PosixFilePermissions.fromString("rwxr-xr-x"));
        String cp = copyClassPathFor(world.resolve("cp"));
        Path locked = Files.createDirectories(world.resolve("rootonly"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp, "dev.lockscope.Main",
                "run", "--timeout", "1s", locked.resolve("r.lock").toString(), "--", "true"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertThat(out).contains(locked.toString()).contains("permission denied");
        // 77 (EX_NOPERM), as for `records` and a read-only filesystem: one mapping for every command.
        assertThat(p.exitValue()).as(out).isEqualTo(77);
        try (Stream<Path> s = Files.list(locked)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    /** /root is not readable by "nobody": copy our class path somewhere it is. */
    static String copyClassPathFor(Path dest) throws IOException {
        Files.createDirectories(dest);
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String entry : TestJvm.classPath().split(java.io.File.pathSeparator)) {
            Path src = Path.of(entry);
            String name = src.getFileName().toString();
            if (!(name.equals("classes") || name.contains("jackson") || name.contains("picocli"))) {
                continue;
            }
            Path target = dest.resolve((i++) + "-" + name);
            if (Files.isDirectory(src)) {
                try (Stream<Path> walk = Files.walk(src)) {
                    for (Path f : walk.toList()) {
                        Path t = target.resolve(src.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t);
                        }
                    }
                }
            } else {
                Files.copy(src, target);
            }
            out.add(target.toString());
        }
        try (Stream<Path> walk = Files.walk(dest)) {
            for (Path f : walk.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    @Test
    void unknownEnvironmentOverrideIsHonouredForHostIdentity() throws Exception {
        // A child process told to be another host records that identity in its owner record.
        Path d = Files.createDirectories(tmp.resolve("env"));
        StringBuilder token = new StringBuilder();
        Process holder = MultiProcessLockTest.startHolder(d.resolve("x.lock"), 30_000,
                Map.of(HostIdentity.ENV_HOST_ID, "container-7", HostIdentity.ENV_HOSTNAME, "shared-name"), tmp, "env", token);
        try {
            LockOwner o = LockSnapshot.read(d.resolve("x.lock")).orElseThrow().owner();
            assertThat(o.hostId()).isEqualTo("container-7");
            assertThat(o.host()).isEqualTo("shared-name");
            // Another host id: its PID means nothing here, so even a dead PID would not make it DEAD.
            assertThat(LinkLock.at(d.resolve("x.lock"), LockOptions.defaults()).inspect().state()).isEqualTo(LockState.HELD);
        } finally {
            holder.destroyForcibly();
        }
    }
}
