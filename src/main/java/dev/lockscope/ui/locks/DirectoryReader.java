package dev.lockscope.ui.locks;

import java.io.IOException;
import java.nio.file.Path;

/** Reads a lock directory completely. Implementations are called on I/O threads only, never the FX thread. */
public interface DirectoryReader {
    DirectoryReading read(Path directory) throws IOException;
}
