package dev.lockscope.cli;

import dev.lockscope.formats.ForeignLock;
import dev.lockscope.formats.ForeignLocks;
import dev.lockscope.formats.ForeignSettings;
import dev.lockscope.formats.ForeignVerdict;
import dev.lockscope.lock.BreakResult;
import dev.lockscope.lock.LinkLock;
import dev.lockscope.lock.LockOptions;
import dev.lockscope.lock.LockState;
import dev.lockscope.lock.Verdict;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The lock named on the command line, judged by its own tool's rule: ours by {@link LinkLock}, another tool's by
 * {@link ForeignLocks}. {@code status} and {@code break} share it. Main thread only.
 *
 * @param format  {@code lockscope}, or the other tool's name
 * @param verdict the verdict and its evidence
 * @param foreign the other tool's verdict, or null for ours (and for no lock)
 */
record JudgedLock(String format, Verdict verdict, ForeignVerdict foreign) {

    /** {@code --locktimeout}: procmail's locktimeout for the lock's directory (procmail has no default). */
    static final class LocktimeoutOption {
        @Option(names = "--locktimeout", paramLabel = "DUR", converter = DurationConverter.class,
                description = "procmail's locktimeout for this directory: a procmail lock older than DUR is EXPIRED"
                        + " (procmail has no default; without it a procmail lock is judged by its age only)")
        Duration locktimeout;

        /** Sets it for {@code directory}, for this run. */
        void applyTo(Path directory) {
            if (locktimeout != null) {
                ForeignSettings.setProcmailLocktimeout(directory, locktimeout);
            }
        }
    }

    static JudgedLock inspect(Path lockFile) throws IOException {
        Verdict ours = LinkLock.at(lockFile, LockOptions.defaults()).inspect();
        if (ours.owner() == null && ours.state() != LockState.FREE) {
            var foreign = ForeignLocks.inspect(lockFile);
            if (foreign.isPresent()) {
                return new JudgedLock(foreign.get().foreign().format(), foreign.get().verdict(), foreign.get());
            }
        }
        return new JudgedLock(ours.owner() == null ? null : ForeignLock.LOCKSCOPE, ours, null);
    }

    BreakResult breakLock(Path lockFile, Verdict judgedAs, boolean force) throws IOException {
        if (foreign != null) {
            return ForeignLocks.breakLock(foreign, force);
        }
        // judgedAs may carry more evidence than the local look (a DEAD answer from the owner's host).
        return LinkLock.at(lockFile, LockOptions.defaults()).breakLock(judgedAs, force);
    }
}
