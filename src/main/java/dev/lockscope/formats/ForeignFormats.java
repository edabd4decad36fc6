package dev.lockscope.formats;

import dev.lockscope.lock.FileFacts;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises other tools' lock files from their name, lstat and a bounded prefix of their bytes. No I/O
 * here: the scanner reads, this only interprets. Stateless; any thread.
 *
 * <ul>
 *   <li>Mercurial: {@code lock}/{@code wlock} is a symlink (or, where symlinks fail, a file) holding {@code host:pid}
 *       (newer versions write {@code host/namespace:pid}).</li>
 *   <li>flufl.lock: the lock is a hard link to a claim file {@code <lock>|<host>|<pid>|<random>} whose content is
 *       that claim file's path; its mtime is the lock's future expiry.</li>
 *   <li>dotlockfile (liblockfile): a {@code *.lock} holding the owner's pid in decimal; stale after 5 minutes by
 *       its own rule.</li>
 *   <li>git: an empty {@code *.lock} file.</li>
 * </ul>
 */
public final class ForeignFormats {

    private static final Pattern HG = Pattern.compile("(.{1,255}):(\\d{1,10})");
    private static final Pattern FLUFL = Pattern.compile("(?:.*/)?(?<lock>[^/|]*)\\|(?<host>[^|/]{1,255})\\|(?<pid>\\d{1,10})\\|(?<rand>[^|/]{1,64})");
    private static final Pattern PID = Pattern.compile("\\s*(\\d{1,10})\\s*");

    private ForeignFormats() {
    }

    /**
     * A symbolic link that is a lock: Mercurial's {@code host:pid}, or any symlink named {@code *.lock}.
     *
     * @return the foreign lock, or null when the link is not a recognised lock
     */
    public static ForeignLock ofSymlink(String name, String target) {
        Matcher m = HG.matcher(target);
        if (m.matches() && !target.startsWith("/") && !target.startsWith(".")) {
            String hostPart = m.group(1);
            int slash = hostPart.indexOf('/');
            String host = slash < 0 ? hostPart : hostPart.substring(0, slash);
            return new ForeignLock("mercurial", "Mercurial lock: a symlink to '" + target + "' (host " + host
                    + ", pid " + m.group(2) + "; not followed)", host, Long.parseLong(m.group(2)));
        }
        if (name.endsWith(".lock")) {
            return new ForeignLock(ForeignLock.UNKNOWN, "a symlink lock to '" + target
                    + "' (not followed; format not recognised)", null, -1);
        }
        return null;
    }

    /**
     * A regular file that is another tool's lock.
     *
     * @param name        its name in the directory
     * @param facts       its lstat
     * @param content     the first bytes read (bounded)
     * @param length      how many of them are valid
     * @param whyNotOurs  why the content is not a lockscope owner record, for the unrecognised case
     * @return the foreign lock, or null when nothing suggests a lock
     */
    public static ForeignLock ofFile(String name, FileFacts facts, byte[] content, int length, String whyNotOurs) {
        String text = new String(content, 0, Math.min(length, 512), StandardCharsets.UTF_8).strip();
        Matcher flufl = FLUFL.matcher(name);
        if (flufl.matches()) {
            return new ForeignLock("flufl.lock", "flufl.lock claim file of '" + flufl.group("lock") + "' (host "
                    + flufl.group("host") + ", pid " + flufl.group("pid") + ")" + fluflExpiry(facts),
                    flufl.group("host"), Long.parseLong(flufl.group("pid")));
        }
        Matcher fc = FLUFL.matcher(text);
        if (!text.contains("\n") && fc.matches()) {
            return new ForeignLock("flufl.lock", "flufl.lock lock (host " + fc.group("host") + ", pid "
                    + fc.group("pid") + ", claim '" + text + "')" + fluflExpiry(facts),
                    fc.group("host"), Long.parseLong(fc.group("pid")));
        }
        boolean lockName = name.endsWith(".lock") || name.equals("lock") || name.equals("wlock");
        if (!lockName) {
            return null;
        }
        if (facts.size() == 0 && length == 0) {
            return new ForeignLock("git", "an empty lock file (git style): its age is all there is to judge",
                    null, -1);
        }
        Matcher pid = PID.matcher(text);
        if (pid.matches()) {
            return new ForeignLock("dotlockfile", "pid " + pid.group(1)
                    + " in decimal (dotlockfile/liblockfile style; its own rule: stale after 5 minutes)",
                    null, Long.parseLong(pid.group(1)));
        }
        Matcher hg = HG.matcher(text);
        if (hg.matches() && !text.contains("\n")) {
            String hostPart = hg.group(1);
            int slash = hostPart.indexOf('/');
            String host = slash < 0 ? hostPart : hostPart.substring(0, slash);
            return new ForeignLock("mercurial", "Mercurial lock file holding '" + text + "'", host,
                    Long.parseLong(hg.group(2)));
        }
        return new ForeignLock(ForeignLock.UNKNOWN, "a lock file in an unrecognised format: "
                + (whyNotOurs == null ? "not a lockscope owner record" : whyNotOurs), null, -1);
    }

    private static String fluflExpiry(FileFacts facts) {
        return "; by its own rule it expires at its mtime, " + Instant.ofEpochMilli(facts.mtimeMillis());
    }
}
