package dev.lockscope.scan;

import dev.lockscope.formats.KernelLocks;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.IoErrorText;
import dev.lockscope.lock.LockSnapshot;
import dev.lockscope.lock.ProcessTable;
import dev.lockscope.lock.ServerClock;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Takes snapshots of one lock directory, incrementally. Not thread-safe: one thread at a time (a
 * {@link DirectoryWatcher} calls it on its own scanner thread; the CLI on its main thread).
 *
 * <p>Every refresh measures the server clock once with a probe file, then has a {@link DirectoryReader} list the
 * directory and read what changed (bounded reads, links never followed, special files never opened), and an
 * {@link EntryClassifier} judge every entry. Ages and verdicts are recomputed on every refresh from the new
 * server-clock reading, whether or not content was re-read.
 *
 * <p>Nothing here writes to the directory except the server-clock probe, which is removed at once.
 */
public final class DirectoryScanner {

    private final Path directory;
    private final HostIdentity self;
    private final ProcessTable processes;
    private final DirectoryReader reader;
    /** Made at the first refresh, once the reader knows whether the directory is on a network filesystem. */
    private EntryClassifier classifier;

    /** A scanner of {@code directory} judging as this process ({@link HostIdentity#current()}). */
    public DirectoryScanner(Path directory) {
        this(directory, HostIdentity.current(), ProcessTable.SYSTEM);
    }

    /** A scanner judging PIDs as {@code self} with {@code processes}. */
    public DirectoryScanner(Path directory, HostIdentity self, ProcessTable processes) {
        this.directory = directory.toAbsolutePath().normalize();
        this.self = self;
        this.processes = processes;
        this.reader = new DirectoryReader(this.directory);
    }

    /** One full snapshot of {@code directory}. */
    public static DirectorySnapshot snapshot(Path directory) throws IOException {
        return new DirectoryScanner(directory).refresh();
    }

    public Path directory() {
        return directory;
    }

    /** {@code FileStore.type()} of the directory, known after the first refresh ("?" before or when unknown). */
    public String fileSystemType() {
        return reader.fileSystemType();
    }

    /** True when the directory is on a filesystem whose other hosts' changes produce no events. */
    public boolean isNetworkFileSystem() {
        return reader.isNetworkFileSystem();
    }

    /**
     * Takes a snapshot, re-reading only what changed since the previous one.
     *
     * @throws IOException naming the directory when it is absent, not a directory, or cannot be listed
     */
    public DirectorySnapshot refresh() throws IOException {
        long startedAt = System.currentTimeMillis();
        reader.checkDirectory();
        if (classifier == null) {
            classifier = new EntryClassifier(directory, self, reader.isNetworkFileSystem(), FILESYSTEM);
        }
        ServerClock.Reading clock = null;
        String clockError = null;
        try {
            clock = ServerClock.read(directory);
        } catch (IOException e) {
            clockError = "cannot write a probe file in " + directory + " (" + IoErrorText.reason(e)
                    + "), so ages and expiry cannot be judged";
        }
        List<ReadEntry> read = reader.read(clock == null ? -1 : clock.serverNowMillis());
        List<ScanEntry> entries = classifier.classify(read, clock, processes);
        return new DirectorySnapshot(directory, fileSystemType(), startedAt, clock, clockError, entries,
                reader.contentReads());
    }

    /** What a FIFO, socket or device file is, in words: "a FIFO". Never opens it. */
    public static String describeSpecialFile(Path p) {
        return DirectoryReader.describeSpecialFile(p);
    }

    /** The evidence of the real filesystem and this host's {@code /proc/locks}. */
    private static final EntryClassifier.Evidence FILESYSTEM = new EntryClassifier.Evidence() {
        @Override
        public Optional<LockSnapshot> reread(Path path) throws IOException {
            return LockSnapshot.read(path);
        }

        @Override
        public KernelLocks kernelLocks() {
            return KernelLocks.read();
        }
    };
}
