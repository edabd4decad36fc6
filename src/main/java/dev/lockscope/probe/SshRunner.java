package dev.lockscope.probe;

import dev.lockscope.text.Printable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one ssh argv with no shell, a deadline and bounded output. Stateless; any thread (each call blocks its
 * caller for at most the timeout).
 */
final class SshRunner {
    /** A probe answer is one short JSON line; a fallback answer is under 1 KiB. Anything longer is not an answer. */
    static final int MAX_STDOUT = 16 * 1024;
    static final int MAX_STDERR = 4 * 1024;
    /** What of stdout/stderr is kept as evidence for display. */
    private static final int SHOWN = 1024;

    /** What a run gave: the evidence, and stdout as read (null when it is not to be parsed). */
    record Outcome(SshExchange exchange, String stdout) {
    }

    private SshRunner() {
    }

    static Outcome run(List<String> argv, Duration timeout) {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(argv);
        // ssh -n reads no stdin either; this keeps a prompt from ever waiting on ours.
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Outcome(new SshExchange(argv, started, elapsed(t0), null, "", "",
                    "could not start " + argv.get(0) + ": " + e.getMessage()), null);
        }
        AtomicBoolean tooLong = new AtomicBoolean();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outReader = reader(p.getInputStream(), out, MAX_STDOUT, tooLong, p, "ssh-stdout");
        Thread errReader = reader(p.getErrorStream(), err, MAX_STDERR, tooLong, p, "ssh-stderr");
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Outcome(new SshExchange(argv, started, elapsed(t0), null, "", "", "interrupted"), null);
        }
        if (!finished) {
            p.destroyForcibly();
        }
        join(outReader);
        join(errReader);
        String stdout = new String(out.toByteArray(), StandardCharsets.UTF_8);
        String stderr = new String(err.toByteArray(), StandardCharsets.UTF_8);
        String problem = null;
        if (!finished) {
            problem = "no answer within " + timeout.toMillis() + " ms; ssh was killed";
        } else if (tooLong.get()) {
            problem = "the answer was longer than " + MAX_STDOUT + " bytes; ssh was killed";
        }
        Integer exit = finished && !tooLong.get() ? p.exitValue() : null;
        SshExchange ex = new SshExchange(argv, started, elapsed(t0), exit, Printable.shortened(stdout.strip(), SHOWN),
                Printable.shortened(stderr.strip(), SHOWN), problem);
        return new Outcome(ex, problem == null ? stdout : null);
    }

    private static Thread reader(InputStream in, ByteArrayOutputStream sink, int max, AtomicBoolean tooLong,
                                 Process p, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    int room = max - sink.size();
                    if (n > room) {
                        sink.write(buf, 0, Math.max(room, 0));
                        tooLong.set(true);
                        p.destroyForcibly();
                        return;
                    }
                    sink.write(buf, 0, n);
                }
            } catch (IOException ignored) {
                // the process was killed or ended
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            // A grandchild (a ProxyCommand) may keep the pipe open after ssh was killed: do not wait for it.
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long elapsed(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
