package dev.lockscope.bench;

import java.util.Locale;

/** What each benchmark operation is. Constants; any thread. */
public enum BenchMode {
    /** An uncontended acquire + release; every process has its own lock name. */
    CYCLE,
    /** A read-increment-write of one shared JSON counter through the record store's save path. */
    COUNTER;

    /** The name used on the command line and in the JSON output. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
