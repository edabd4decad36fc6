package dev.lockscope.formats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The other tools themselves, as real processes: Debian's python3-flufl.lock, python3-filelock and mercurial
 * (through /usr/bin/python3, which has Debian's modules), liblockfile-bin's dotlockfile, procmail's lockfile and
 * git. .ci/run installs them. Test threads only.
 */
public final class RealTools {

    static final String PYTHON = "/usr/bin/python3";

    /** Holds a flufl.lock: argv lock, lifetime seconds, "hold" or "exit". */
    static final String FLUFL_HOLDER = String.join("\n",
            "import sys, os, datetime, flufl.lock",
            "l = flufl.lock.Lock(sys.argv[1], lifetime=datetime.timedelta(seconds=float(sys.argv[2])))",
            "l.lock(timeout=datetime.timedelta(seconds=20))",
            "print('locked', flush=True)",
            "if sys.argv[3] == 'exit': os._exit(0)",
            "sys.stdin.read()");

    /** Holds Mercurial's wlock of a repository: argv repo, "hold" or "exit". */
    public static final String HG_HOLDER = String.join("\n",
            "import sys, os",
            "from mercurial import ui as uimod, hg",
            "r = hg.repository(uimod.ui.load(), sys.argv[1].encode())",
            "l = r.wlock()",
            "print('locked', flush=True)",
            "if sys.argv[2] == 'exit': os._exit(0)",
            "sys.stdin.read()");

    /** Holds a py-filelock lock: argv lock, class name (FileLock or SoftFileLock), "hold" or "exit". */
    static final String FILELOCK_HOLDER = String.join("\n",
            "import sys, os, filelock",
            "l = getattr(filelock, sys.argv[2])(sys.argv[1])",
            "l.acquire(timeout=20)",
            "print('locked', flush=True)",
            "if sys.argv[3] == 'exit': os._exit(0)",
            "sys.stdin.read()");

    private RealTools() {
    }

    /** A running holder: it printed "locked", and holds until {@link #close()} closes its standard input. */
    public static final class Holder implements AutoCloseable {
        public final Process process;
        private final BufferedReader out;

        Holder(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Waits for the holder's next line (at most 60 s: a Python start on a loaded 2-core machine). */
        String readLine() throws Exception {
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return "error: " + e;
                }
            }).get(60, TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException("the holder ended without a word: "
                        + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            return line;
        }

        public long pid() {
            return process.pid();
        }

        @Override
        public void close() throws Exception {
            try (OutputStream in = process.getOutputStream()) {
                in.flush();
            } catch (IOException ignored) {
                // already gone
            }
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Starts a Python holder script and waits until it says "locked". */
    public static Holder python(String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", script));
        cmd.addAll(List.of(args));
        Holder h = new Holder(new ProcessBuilder(cmd).start());
        String first = h.readLine();
        if (!first.equals("locked")) {
            throw new IllegalStateException("holder said '" + first + "'");
        }
        return h;
    }

    /** Runs a command to its end; returns its exit code. Its output goes to the test's log. */
    public static int run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not end");
        }
        if (!out.isBlank()) {
            System.out.println(String.join(" ", cmd) + ": " + out.strip());
        }
        return p.exitValue();
    }

    /** A pid that belonged to a process that has exited (and was reaped). */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    static boolean exists(Path p) {
        return Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
}
