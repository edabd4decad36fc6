package dev.lockscope.scan;

import dev.lockscope.formats.KernelLocks;
import dev.lockscope.lock.LockSnapshot;

import java.nio.file.Path;
import java.util.Optional;

/** Evidence that may not be asked: a classifier test fails if the classifier wants a file read. Any thread. */
final class UnaskedEvidence implements EntryClassifier.Evidence {
    static final EntryClassifier.Evidence INSTANCE = new UnaskedEvidence();

    private UnaskedEvidence() {
    }

    @Override
    public Optional<LockSnapshot> reread(Path path) {
        throw new AssertionError("asked to re-read " + path);
    }

    @Override
    public KernelLocks kernelLocks() {
        throw new AssertionError("asked for kernel locks");
    }
}
