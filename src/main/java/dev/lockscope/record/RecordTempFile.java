package dev.lockscope.record;

import dev.lockscope.lock.HostIdentity;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the temp files the save path writes beside a record file. Immutable; any thread.
 *
 * <p>For {@code D/records.json} a save writes {@code D/.records.json.tmp.<host>.<pid>.<16 hex>} and renames
 * it over the record file. A writer killed before the rename leaves such a file behind; it is never
 * read, and the name tells a scanner whose it was (host and pid) and which record file it belongs to.
 *
 * @param recordFileName the record file's name, e.g. {@code records.json}
 * @param host           the writer's host name (reduced to [A-Za-z0-9_-])
 * @param pid            the writer's process id
 * @param nonce          16 random hex digits
 */
public record RecordTempFile(String recordFileName, String host, long pid, String nonce) {

    /** The infix between the record file name and the writer. */
    public static final String INFIX = ".tmp.";
    private static final Pattern NAME = Pattern.compile("^\\.(.+)\\.tmp\\.([A-Za-z0-9_-]{1,64})\\.(\\d{1,19})\\.([0-9a-f]{16})$", Pattern.DOTALL);
    /** DOTALL as {@link #NAME}: a record file's name may hold a line break, and so may its temp files' names. */
    private static final Pattern LOOSE_NAME = Pattern.compile("\\.(.+?)\\.tmp\\..+", Pattern.DOTALL);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A fresh temp file path for a save of {@code recordFile} by this process. */
    public static Path newPathFor(Path recordFile) {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        RecordTempFile t = new RecordTempFile(recordFile.getFileName().toString(),
                safe(HostIdentity.current().hostName()), ProcessHandle.current().pid(), HexFormat.of().formatHex(b));
        return recordFile.resolveSibling(t.fileName());
    }

    /** The file name: {@code .<record file>.tmp.<host>.<pid>.<nonce>}. */
    public String fileName() {
        return "." + recordFileName + INFIX + host + "." + pid + "." + nonce;
    }

    /** Recognises a temp file name; empty for any other name. */
    public static Optional<RecordTempFile> parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RecordTempFile(m.group(1), m.group(2), Long.parseLong(m.group(3)), m.group(4)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The record file whose save a file named {@code fileName} may be the temp file of: any
     * {@code .<record file>.tmp.<anything>}, so that a tail this version would not write (another version's, or
     * cut short) still names its record file; empty for other names. What {@link #parse} reads is a subset.
     */
    public static Optional<String> recordFileOf(String fileName) {
        Matcher m = LOOSE_NAME.matcher(fileName);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Host names become part of file names; keep them to a safe alphabet. */
    static String safe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c < 128 && Character.isLetterOrDigit(c) || c == '-' || c == '_' ? c : '_');
        }
        return b.length() == 0 ? "_" : b.toString();
    }
}
