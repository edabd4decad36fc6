package dev.lockscope.cli;

import dev.lockscope.lock.DurationText;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * CMD of {@code lockscope run}: a child process that must be dead before the lock it runs under is released.
 * {@link #start} and {@link #awaitExit} on the one thread that runs {@code run}, which must live until CMD is
 * dead (see {@link #PDEATHSIG_HELPER}); {@link #stop} and {@link #kill} from any thread.
 *
 * <p>CMD stays in {@code run}'s process group, so that a terminal treats the two as one job: CMD can read
 * the terminal, and Ctrl-Z stops both. The price: a signal sent to {@code run} alone reaches CMD only,
 * not CMD's own children (CMD's job, as a shell's); the SIGKILL at the end of the grace period is sent to
 * CMD and to every descendant that it has at that moment.
 */
final class SupervisedCommand {

    /**
     * util-linux's setpriv(1), when it knows {@code --pdeathsig} (util-linux 2.33 and later); else null.
     *
     * <p>Why: a {@code run} killed with SIGKILL (the OOM killer, {@code kill -9}) can neither stop CMD
     * nor release the lock. Waiters then judge the lock DEAD as soon as run's pid is gone, and break it,
     * so CMD must die with run. {@code setpriv --pdeathsig KILL -- CMD} asks the kernel (prctl
     * PR_SET_PDEATHSIG) to SIGKILL CMD when its parent dies, then execs CMD in the same process. The kernel
     * sends that signal while run's process exits, before run's pid can be seen as gone; CMD was dead 8-250 ms
     * after a SIGKILL of run on a loaded machine, while a waiter looks at the holder's pid once a second.
     *
     * <p>Limits: the "parent" is the THREAD that started CMD, so that thread must outlive CMD (it does: it
     * waits for CMD); the setting is cleared when CMD execs a set-user-ID or set-group-ID program (sudo),
     * and it is not inherited by CMD's children; a run killed in the millisecond between starting setpriv
     * and its prctl leaves CMD running. Without setpriv (macOS, util-linux older than 2.33, a system
     * without it) CMD is started directly, as before, and outlives a SIGKILLed run.
     *
     * <p>The option is found by looking for its name in the program (80 KB, read from the page cache in
     * well under a millisecond) rather than by running {@code setpriv --help}, which would cost a process
     * start on every {@code run}; an older setpriv would fail every CMD with "unrecognized option".
     */
    static final String PDEATHSIG_HELPER = findSetprivWithPdeathsig();

    private final Process process;
    private final Duration grace;
    private final PrintWriter err;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile String stopReason;

    private SupervisedCommand(Process process, Duration grace, PrintWriter err) {
        this.process = process;
        this.grace = grace;
        this.err = err;
    }

    /**
     * Starts {@code builder}'s command so that it dies with this thread where the platform allows (see
     * {@link #PDEATHSIG_HELPER}); {@code builder}'s command may be changed for that.
     *
     * @throws IOException when the command cannot be run; the message says why
     */
    static SupervisedCommand start(ProcessBuilder builder, Duration grace, PrintWriter err) throws IOException {
        List<String> command = builder.command();
        if (PDEATHSIG_HELPER != null) {
            // setpriv would report a missing program itself (exit 127), in its own words: say it in ours.
            requireExecutable(command.get(0));
            List<String> wrapped = new ArrayList<>(command.size() + 4);
            wrapped.add(PDEATHSIG_HELPER);
            wrapped.add("--pdeathsig");
            wrapped.add("KILL");
            wrapped.add("--");
            wrapped.addAll(command);
            builder.command(wrapped); // the environment, directory and redirects stay
        }
        return new SupervisedCommand(builder.start(), grace, err);
    }

    long pid() {
        return process.pid();
    }

    /**
     * Passes {@code signal} ({@code TERM}, {@code INT} or {@code HUP}) on to CMD. The first call also starts the
     * grace period, after which CMD and its descendants get SIGKILL; {@code why} says in the message why.
     */
    void stop(String signal, String why) {
        send(signal);
        if (stopping.compareAndSet(false, true)) {
            stopReason = why;
            Thread t = new Thread(this::killAfterGrace, "lockscope-run-grace");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Whether {@link #stop} was called: CMD's exit was asked for. */
    boolean stopRequested() {
        return stopping.get();
    }

    /** SIGKILL to CMD and its descendants now: the way out when run itself fails while CMD runs. */
    void kill() {
        List<ProcessHandle> family = process.descendants().toList();
        process.destroyForcibly();
        family.forEach(ProcessHandle::destroyForcibly);
    }

    /** CMD's exit code, once CMD is dead and reaped. Interrupts do not cut this wait short (they are kept). */
    int awaitExit() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return process.waitFor();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void killAfterGrace() {
        try {
            if (process.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            // nobody interrupts this thread; if someone does, the grace period is over
        }
        err.println("lockscope: pid " + process.pid() + " still ran " + DurationText.ofMillis(grace.toMillis())
                + " after " + stopReason + ": sending SIGKILL");
        err.flush();
        kill();
    }

    private void send(String signal) {
        if ("TERM".equals(signal)) {
            process.destroy(); // the JDK's own SIGTERM: it knows whether the pid is still CMD's
            return;
        }
        if (!process.isAlive()) {
            return;
        }
        // The JDK sends no other signal; kill(1) does. The pid is CMD's until run reaps it, and run reaps
        // it only after it stopped forwarding (a reap between the check above and the kill is the JDK's
        // own race in destroy(), microseconds wide).
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            err.println("lockscope: could not pass SIG" + signal + " to pid " + process.pid() + ": " + e.getMessage());
            err.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Throws unless {@code program} is what execvp(3) would run: a path to an executable file, or a name
     * found as one on PATH.
     */
    static void requireExecutable(String program) throws IOException {
        if (program.isEmpty()) {
            throw new IOException("no such program");
        }
        if (program.contains("/")) {
            if (!isExecutableFile(Path.of(program))) {
                throw new IOException(Files.exists(Path.of(program)) ? "not an executable file" : "no such file");
            }
            return;
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator, -1)) {
            if (isExecutableFile(Path.of(dir.isEmpty() ? "." : dir, program))) {
                return;
            }
        }
        throw new IOException("not found on PATH");
    }

    private static boolean isExecutableFile(Path p) {
        return Files.isRegularFile(p) && Files.isExecutable(p);
    }

    private static String findSetprivWithPdeathsig() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        for (String candidate : new String[] {"/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"}) {
            Path p = Path.of(candidate);
            if (isExecutableFile(p) && mentions(p, "pdeathsig")) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean mentions(Path program, String word) {
        try (InputStream in = Files.newInputStream(program)) {
            byte[] bytes = in.readNBytes(4 << 20);
            return new String(bytes, StandardCharsets.ISO_8859_1).contains(word);
        } catch (IOException e) {
            return false;
        }
    }
}
