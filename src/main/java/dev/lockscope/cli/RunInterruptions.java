package dev.lockscope.cli;

/**
 * SIGTERM, SIGINT and SIGHUP sent to {@code lockscope run}, and a lock lost under CMD: what each does in each
 * phase of the run. The phase methods on the thread that runs {@code run}; the handlers on the JVM's signal
 * threads and the heartbeat thread.
 *
 * <ul>
 * <li>While waiting for the lock: the wait is interrupted, the waiter's claim is removed on the way out, and
 *     run exits 128 + the signal's number.</li>
 * <li>While CMD runs: the very signal is passed on to CMD, and after the grace period CMD gets SIGKILL. run
 *     releases the lock only once CMD is dead, then exits 128 + the signal's number. Except a terminal's
 *     Ctrl-C: CMD got that SIGINT itself, and run waits for CMD as a shell does.</li>
 * <li>A lost lock while CMD runs stops CMD the same way, with SIGTERM (unless CMD is to keep running).</li>
 * </ul>
 *
 * <p>Why {@code sun.misc.Signal} and not a shutdown hook: a hook runs when the JVM is already shutting down,
 * cannot tell which of the three signals came (so it cannot pass on SIGINT or SIGHUP as such), races with the
 * thread that waits for CMD, and may not register anything (a claim kept at release registered a hook, and
 * threw "Shutdown in progress"). Handled signals do not start a shutdown: the thread that runs {@code run}
 * waits for CMD, releases the lock, and exits as it always does. A signal ignored when the JVM started (nohup,
 * a background job of a non-interactive shell) stays ignored, for run and for CMD alike. With {@code -Xrs}
 * the JVM keeps the signals to itself; then the JVM exits at once and CMD dies with it (see
 * {@link SupervisedCommand#PDEATHSIG_HELPER}), and waiters find the lock DEAD.
 */
final class RunInterruptions {

    private static final String[] SIGNALS = {"TERM", "INT", "HUP"};

    private final Thread runThread;
    private final boolean stopOnLoss;
    private final java.io.PrintWriter err;
    private final java.util.function.BooleanSupplier inForeground;
    private boolean waiting;
    /** CMD is being started or runs: from just before the fork on, a terminal's Ctrl-C reaches CMD itself. */
    private boolean commandStarted;
    private SupervisedCommand command;
    /** The first signal that came (its name without SIG, e.g. TERM), or null; and its number. */
    private String firstSignal;
    private int firstSignalNumber;
    private boolean lost;

    RunInterruptions(Thread runThread, boolean stopOnLoss, java.io.PrintWriter err,
            java.util.function.BooleanSupplier inForeground) {
        this.runThread = runThread;
        this.stopOnLoss = stopOnLoss;
        this.err = err;
        this.inForeground = inForeground;
    }

    /** Takes over the three signals for the calling thread's run. */
    static RunInterruptions install(boolean stopOnLoss, java.io.PrintWriter err) {
        RunInterruptions r = new RunInterruptions(Thread.currentThread(), stopOnLoss, err,
                RunInterruptions::inForegroundOfTerminal);
        for (String name : SIGNALS) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> r.received(s.getName(), s.getNumber()));
            } catch (IllegalArgumentException e) {
                // -Xrs, or a platform without this signal: the JVM's default stays (see the class comment)
            }
        }
        return r;
    }

    /** Phase: waiting for the lock (true) or done waiting (false). A signal interrupts a wait, even one that came just before. */
    void waiting(boolean nowWaiting) {
        synchronized (this) {
            waiting = nowWaiting;
            if (nowWaiting && firstSignal != null) {
                runThread.interrupt();
            }
        }
        if (!nowWaiting) {
            // An interrupt meant for the wait must not cut short what follows it.
            Thread.interrupted();
        }
    }

    /**
     * Phase: CMD is about to be started (called just before the fork). CMD's pid is known only once the start
     * returns, but a terminal's Ctrl-C from here on may already have reached CMD, which shares our process group;
     * taking it for run's own would pass CMD a second SIGINT once {@link #running} is called. A Ctrl-C in the
     * instant before the fork itself is left to CMD too (it never sees that one; a second Ctrl-C reaches it).
     */
    synchronized void starting() {
        commandStarted = true;
    }

    /** Phase: CMD runs. A signal or a loss that came before is acted on now. */
    void running(SupervisedCommand cmd) {
        String signal;
        boolean stopForLoss;
        synchronized (this) {
            command = cmd;
            signal = firstSignal;
            stopForLoss = lost && stopOnLoss;
        }
        if (signal != null) {
            passOn(cmd, signal);
        } else if (stopForLoss) {
            cmd.stop("TERM", "the lock was lost");
        }
    }

    /** The first signal that came, by its name without SIG (e.g. {@code TERM}), or null. */
    synchronized String signal() {
        return firstSignal;
    }

    /** The exit code for a run ended by {@link #signal()}: 128 + its number, as a shell reports it. */
    synchronized int signalExitCode() {
        return 128 + firstSignalNumber;
    }

    /** Whether the lock was lost and CMD must not start (or run on). */
    synchronized boolean lostAndStopping() {
        return lost && stopOnLoss;
    }

    /** The heartbeat found the lock lost. */
    void lockLost(String reason) {
        SupervisedCommand cmd;
        synchronized (this) {
            lost = true;
            cmd = command;
        }
        // The reason names whoever holds the lock now: fields anyone who can write the directory wrote.
        err.println("lockscope: " + TerminalText.escape("lock lost while the command ran: " + reason
                + (stopOnLoss ? (cmd != null ? "; stopping pid " + cmd.pid() : "") : "; the command keeps running")));
        err.flush();
        if (cmd != null && stopOnLoss) {
            cmd.stop("TERM", "the lock was lost");
        }
    }

    /** A signal came (a JVM signal thread; package-private for tests). */
    void received(String signal, int number) {
        SupervisedCommand cmd;
        synchronized (this) {
            if ("INT".equals(signal) && commandStarted && inForeground.getAsBoolean()) {
                // Ctrl-C: the terminal sent SIGINT to its whole foreground job, CMD included. Passing it on would
                // give CMD a second one (many programs read two as "abort the clean-up"), and a CMD that handles
                // Ctrl-C (a REPL, an editor) must not be stopped by it. So, as a shell does with its
                // foreground job: CMD decides, run waits for it and exits with its code.
                return;
            }
            if (firstSignal == null) {
                firstSignal = signal;
                firstSignalNumber = number;
            }
            cmd = command;
            if (cmd == null && waiting) {
                runThread.interrupt();
            }
        }
        if (cmd != null) {
            passOn(cmd, signal);
        }
    }

    /**
     * Whether this process is in the foreground job of its controlling terminal (Linux: /proc/self/stat's tpgid
     * is its process group). False where that cannot be told: there SIGINT is always passed on.
     */
    static boolean inForegroundOfTerminal() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            // pid (comm) state ppid pgrp session tty_nr tpgid ...: comm may hold spaces and parentheses.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long pgrp = Long.parseLong(f[2]);
            long tpgid = Long.parseLong(f[5]);
            return tpgid > 0 && tpgid == pgrp;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private void passOn(SupervisedCommand cmd, String signal) {
        if (!cmd.stopRequested()) {
            err.println("lockscope: got SIG" + signal + ": passing it to pid " + cmd.pid()
                    + "; the lock is released once it has exited");
            err.flush();
        }
        cmd.stop(signal, "SIG" + signal);
    }
}
