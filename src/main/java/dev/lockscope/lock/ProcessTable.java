package dev.lockscope.lock;

import java.time.Instant;
import java.util.OptionalLong;

/** Looks up processes of this host. Implementations are thread-safe. */
public interface ProcessTable {

    /** What is known of a PID right now. */
    enum Liveness { ALIVE, GONE }

    /**
     * @return GONE when no process has this PID
     */
    Liveness liveness(long pid);

    /** The start time of the process with this PID, epoch millis, if the OS tells it. */
    OptionalLong startTime(long pid);

    /**
     * The start of the process with this PID in clock ticks since boot, where the OS tells it (Linux).
     * A wall-clock step moves {@link #startTime} but not this.
     */
    default OptionalLong startTicks(long pid) {
        return OptionalLong.empty();
    }

    /** Field 3 of /proc/PID/stat (R, S, D, Z, ...), or '?' where there is no such file or it cannot be parsed. */
    static char readState(long pid) {
        try {
            byte[] b = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            String s = new String(b, java.nio.charset.StandardCharsets.US_ASCII);
            int close = s.lastIndexOf(')');
            return close >= 0 && close + 2 < s.length() ? s.charAt(close + 2) : '?';
        } catch (java.io.IOException | RuntimeException e) {
            return '?';
        }
    }

    /** Field 22 of /proc/PID/stat; empty where there is no such file or it cannot be parsed. */
    static OptionalLong readStartTicks(long pid) {
        try {
            byte[] b = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            String s = new String(b, java.nio.charset.StandardCharsets.US_ASCII);
            // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
            int close = s.lastIndexOf(')');
            if (close < 0) {
                return OptionalLong.empty();
            }
            String[] f = s.substring(close + 1).trim().split(" +");
            // f[0] is field 3 (state), so field 22 is f[19].
            return f.length > 19 ? OptionalLong.of(Long.parseLong(f[19])) : OptionalLong.empty();
        } catch (java.io.IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Whether the live process with the owner's PID is a newer one than the owner: by boot-relative
     * start ticks where both sides know them, else by start time.
     */
    static boolean isNewerProcessThan(LockOwner owner, ProcessTable table) {
        if (owner.startTicks() != null) {
            OptionalLong ticks = table.startTicks(owner.pid());
            if (ticks.isPresent()) {
                return ticks.getAsLong() != owner.startTicks();
            }
        }
        OptionalLong start = table.startTime(owner.pid());
        return owner.startTime() != null && start.isPresent() && start.getAsLong() != owner.startTime();
    }

    /** The real process table of this machine. */
    ProcessTable SYSTEM = new ProcessTable() {
        @Override
        public Liveness liveness(long pid) {
            if (!ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent()) {
                return Liveness.GONE;
            }
            // A zombie (killed, not yet reaped by its parent) still has its PID but will never renew or release
            // anything: ProcessHandle calls it alive, /proc says Z (or X while it is being reaped).
            char state = readState(pid);
            return state == 'Z' || state == 'X' ? Liveness.GONE : Liveness.ALIVE;
        }

        @Override
        public OptionalLong startTime(long pid) {
            return ProcessHandle.of(pid)
                    .flatMap(h -> h.info().startInstant())
                    .map(Instant::toEpochMilli)
                    .map(OptionalLong::of)
                    .orElse(OptionalLong.empty());
        }

        @Override
        public OptionalLong startTicks(long pid) {
            return readStartTicks(pid);
        }
    };
}
