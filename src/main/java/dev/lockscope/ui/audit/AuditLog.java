package dev.lockscope.ui.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The break history of a lock directory, as the audit tab reads it. The view model gets this injected, the way
 * the lock table gets its {@code LockActions}, so it never reads files itself. Reads the file system: I/O threads
 * only.
 */
public interface AuditLog {

    /** The audit records of {@code lockDir}, newest first; empty when it has no audit directory. */
    List<AuditEntry> read(Path lockDir) throws IOException;
}
