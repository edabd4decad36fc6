package dev.lockscope.ui.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.lock.BreakAudit;
import dev.lockscope.lock.IoErrorText;
import dev.lockscope.lock.JsonMappers;
import dev.lockscope.lock.LockFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@link AuditLog} of the lock directories themselves: reads the JSON records the lock library's breaks
 * write into {@code .lockscope-audit/}, bounded in number and size. I/O threads only.
 */
public final class AuditReader implements AuditLog {

    /** Audit files are small; anything larger is shown as unreadable rather than read whole. */
    static final int MAX_BYTES = 64 * 1024;
    /** The newest this many records are shown. */
    static final int MAX_FILES = 500;

    private static final ObjectMapper JSON = JsonMappers.audit();

    @Override
    public List<AuditEntry> read(Path lockDir) throws IOException {
        Path dir = lockDir.resolve(LockFile.AUDIT_DIR);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                files.add(p);
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        // Names start with the break's epoch millis: sorting by name sorts by time.
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
        List<AuditEntry> out = new ArrayList<>();
        for (Path p : files.subList(0, Math.min(files.size(), MAX_FILES))) {
            out.add(readOne(p));
        }
        return out;
    }

    static AuditEntry readOne(Path p) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                return unreadable(p, "not a regular file");
            }
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (IOException e) {
            return unreadable(p, IoErrorText.problem(e, p));
        }
        if (bytes.length > MAX_BYTES) {
            return unreadable(p, "larger than " + MAX_BYTES + " bytes");
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            BreakAudit a = BreakAudit.of(n);
            return new AuditEntry(p, a.at(), a.lock(), a.outcome(), a.verdict(), a.brokenBy(), a.forced(), a.message(),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
        } catch (IOException e) {
            return unreadable(p, "not valid JSON: " + e.getMessage().lines().findFirst().orElse("")
                    + "\n\n" + new String(bytes, StandardCharsets.UTF_8));
        }
    }

    private static AuditEntry unreadable(Path p, String why) {
        return new AuditEntry(p, "", "", "UNREADABLE", "", "", false, why, "Cannot read " + p + ": " + why);
    }
}
