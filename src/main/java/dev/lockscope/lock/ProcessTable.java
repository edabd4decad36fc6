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

    /** The real process table of this machine. */
    ProcessTable SYSTEM = new ProcessTable() {
        @Override
        public Liveness liveness(long pid) {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? Liveness.ALIVE : Liveness.GONE;
        }

        @Override
        public OptionalLong startTime(long pid) {
            return ProcessHandle.of(pid)
                    .flatMap(h -> h.info().startInstant())
                    .map(Instant::toEpochMilli)
                    .map(OptionalLong::of)
                    .orElse(OptionalLong.empty());
        }
    };
}
