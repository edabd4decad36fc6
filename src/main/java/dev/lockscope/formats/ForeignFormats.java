package dev.lockscope.formats;

import dev.lockscope.lock.FileFacts;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises other tools' lock files from their name, lstat and a bounded prefix of their bytes. No I/O
 * here: the scanner and {@link ForeignLocks} read, this only interprets. Stateless; any thread.
 *
 * <ul>
 *   <li>flufl.lock: the lock is a hard link to a claim file {@code <lock>|<host>|<pid>|<random>} whose content is
 *       that claim file's path; its mtime is the lock's future expiry.</li>
 *   <li>dotlockfile (liblockfile): the holder's pid in decimal and a newline, or {@code 0} without {@code -p};
 *       temp files {@code .lk<pid:%05d><time&15:%x><host>}.</li>
 *   <li>procmail's {@code lockfile}: the single byte {@code 0}; temp files {@code _<base64 serial>.<base64>.<host>}
 *       (seen from procmail 3.22: {@code _O_C.kHUDrB.vm}).</li>
 *   <li>Mercurial: {@code lock}/{@code wlock} is a symlink (or, where symlinks fail, a file) holding
 *       {@code host:pid}; since 4.x on Linux {@code host/<pid-namespace inode in hex>:pid}.</li>
 *   <li>py-filelock: {@code SoftFileLock} writes {@code <pid>\n<host>\n[<start ticks>\n]} (protocol 1) or
 *       {@code filelock/2\npid=..\nhost=..\nmode=..[\ntoken=..][\nduration=..][\nstart=..]\n} (protocol 2); the
 *       default {@code FileLock} on Linux is an empty file held by {@code flock}, left behind on release, and so is
 *       Debian's {@code SoftFileLock} 3.9 (empty, no owner).</li>
 *   <li>git: a {@code *.lock} inside a git directory, empty or holding the next version of the file it locks.</li>
 * </ul>
 */
public final class ForeignFormats {

    private static final Pattern HG = Pattern.compile("([^:/\\s]{1,255})(?:/([0-9a-f]{1,16}))?:(\\d{1,10})");
    private static final Pattern FLUFL = Pattern.compile("(?:.*/)?(?<lock>[^/|]{1,255})\\|(?<host>[^|/]{1,255})\\|(?<pid>\\d{1,10})\\|(?<rand>[^|/]{1,64})");
    private static final Pattern DOTLOCK_CONTENT = Pattern.compile("(\\d{1,10})\\n?");
    /** liblockfile: {@code ".lk%05d%x%s"}, pid, time & 15, host name (truncated). */
    static final Pattern DOTLOCK_TEMP = Pattern.compile("\\.lk(\\d{5,10})[0-9a-f]([A-Za-z0-9._-]{1,64})");
    /** procmail's unique(): {@code _}, two base-64 numbers in [0-9A-Za-z_-] joined by dots, then the host name. */
    static final Pattern PROCMAIL_TEMP = Pattern.compile("_([0-9A-Za-z_-]{1,16})\\.([0-9A-Za-z_-]{1,16})\\.([A-Za-z0-9.-]{1,64})");
    private static final Pattern FILELOCK_V1 = Pattern.compile("(\\d{1,10})\\n([^\\n]{1,255})\\n(?:(\\d{1,20})\\n)?");
    private static final String FILELOCK_V2 = "filelock/2\n";

    private ForeignFormats() {
    }

    /**
     * A symbolic link that is a lock: Mercurial's {@code host[/namespace]:pid}, or any symlink named like a lock.
     *
     * @return the foreign lock, or null when the link is not a recognised lock
     */
    public static ForeignLock ofSymlink(String name, String target) {
        Matcher m = HG.matcher(target);
        if (m.matches()) {
            return mercurial("a symlink to '" + target + "' (not followed)", m);
        }
        if (lockName(name)) {
            return ForeignLock.lock(ForeignLock.UNKNOWN, "a symlink lock to '" + target
                    + "' (not followed; format not recognised)", null, -1);
        }
        return null;
    }

    /** As {@link #ofFile(String, Path, FileFacts, byte[], int, String)} for a file outside any git directory. */
    public static ForeignLock ofFile(String name, FileFacts facts, byte[] content, int length, String whyNotOurs) {
        return ofFile(name, null, facts, content, length, whyNotOurs);
    }

    /**
     * A regular file that is another tool's lock or claim.
     *
     * @param name        its name in the directory
     * @param directory   its directory (only its names are looked at, to tell a git directory), or null
     * @param facts       its lstat
     * @param content     the first bytes read (bounded)
     * @param length      how many of them are valid
     * @param whyNotOurs  why the content is not a lockscope owner record, for the unrecognised case
     * @return the foreign lock, or null when nothing suggests a lock
     */
    public static ForeignLock ofFile(String name, Path directory, FileFacts facts, byte[] content, int length,
                                     String whyNotOurs) {
        String raw = new String(content, 0, Math.min(length, 512), StandardCharsets.UTF_8);
        String text = raw.strip();
        Matcher flufl = FLUFL.matcher(name);
        if (flufl.matches() && !name.contains("/")) {
            return ForeignLock.claim(ForeignLock.FLUFL, "flufl.lock claim file of '" + flufl.group("lock")
                            + "' (host " + flufl.group("host") + ", pid " + flufl.group("pid") + ")",
                    flufl.group("host"), Long.parseLong(flufl.group("pid")));
        }
        Matcher fc = FLUFL.matcher(text);
        if (!text.contains("\n") && fc.matches()) {
            return ForeignLock.lock(ForeignLock.FLUFL, "flufl.lock lock (host " + fc.group("host") + ", pid "
                            + fc.group("pid") + "); its mtime is its expiry",
                    fc.group("host"), Long.parseLong(fc.group("pid")));
        }
        if (name.endsWith(".lock") && inGitDirectory(directory)) {
            // git writes the file's next content into its lock (an index.lock holds the new index), or nothing.
            return ForeignLock.lock(ForeignLock.GIT, "a git lock file (" + (length == 0 ? "empty" : facts.size()
                    + " bytes of the file's next version") + "): git records no owner", null, -1);
        }
        Matcher dt = DOTLOCK_TEMP.matcher(name);
        if (dt.matches() && DOTLOCK_CONTENT.matcher(raw).matches()) {
            return ForeignLock.claim(ForeignLock.DOTLOCKFILE, "dotlockfile temp file (pid " + Long.parseLong(dt.group(1))
                    + ", host " + dt.group(2) + ")", dt.group(2), Long.parseLong(dt.group(1)));
        }
        Matcher pt = PROCMAIL_TEMP.matcher(name);
        if (pt.matches() && "0".equals(raw)) {
            return ForeignLock.claim(ForeignLock.PROCMAIL, "procmail lockfile temp file (host " + pt.group(3) + ")",
                    pt.group(3), -1);
        }
        if (!lockName(name)) {
            return null;
        }
        if (facts.size() == 0 && length == 0) {
            return new ForeignLock(ForeignLock.PY_FILELOCK, ForeignLock.Role.LOCK,
                    "an empty lock file (py-filelock's FileLock, held by a kernel lock while held, left behind when"
                            + " released)", null, -1, null, null, -1);
        }
        if ("0".equals(raw)) {
            return ForeignLock.lock(ForeignLock.PROCMAIL, "procmail lockfile: '0', no owner recorded", null, -1);
        }
        if (raw.startsWith(FILELOCK_V2)) {
            ForeignLock v2 = fileLockV2(raw);
            if (v2 != null) {
                return v2;
            }
        }
        Matcher v1 = FILELOCK_V1.matcher(raw);
        if (v1.matches()) {
            Long start = v1.group(3) == null ? null : parseOrNull(v1.group(3));
            return new ForeignLock(ForeignLock.PY_FILELOCK, ForeignLock.Role.LOCK, "py-filelock SoftFileLock (pid "
                    + v1.group(1) + ", host " + v1.group(2) + (start == null ? "" : ", start tick " + start) + ")",
                    v1.group(2), Long.parseLong(v1.group(1)), null, start, -1);
        }
        Matcher pid = DOTLOCK_CONTENT.matcher(raw);
        if (pid.matches()) {
            long p = Long.parseLong(pid.group(1));
            return ForeignLock.lock(ForeignLock.DOTLOCKFILE, p == 0 ? "dotlockfile lock without a pid ('0')"
                    : "dotlockfile lock holding pid " + p, null, p == 0 ? -1 : p);
        }
        Matcher hg = HG.matcher(text);
        if (hg.matches()) {
            return mercurial("a file holding '" + text + "' (where symlinks fail)", hg);
        }
        return ForeignLock.lock(ForeignLock.UNKNOWN, "a lock file in an unrecognised format: "
                + (whyNotOurs == null ? "not a lockscope owner record" : whyNotOurs), null, -1);
    }

    /** This foreign lock with the device number of its file, for the kernel-lock look-up of an empty file. */
    public static ForeignLock withDevice(ForeignLock f, long device) {
        return new ForeignLock(f.format(), f.role(), f.description(), f.host(), f.pid(), f.pidNamespace(),
                f.startTicks(), device);
    }

    /** True for the names tools give their locks: {@code *.lock}, and Mercurial's {@code lock} and {@code wlock}. */
    static boolean lockName(String name) {
        return name.endsWith(".lock") || name.equals("lock") || name.equals("wlock");
    }

    private static ForeignLock mercurial(String what, Matcher m) {
        String host = m.group(1);
        String ns = m.group(2);
        long pid = Long.parseLong(m.group(3));
        return new ForeignLock(ForeignLock.MERCURIAL, ForeignLock.Role.LOCK, "Mercurial lock: " + what + " (host "
                + host + (ns == null ? "" : ", pid namespace " + ns) + ", pid " + pid + ")", host, pid, ns, null, -1);
    }

    private static ForeignLock fileLockV2(String raw) {
        Map<String, String> fields = new HashMap<>();
        String[] lines = raw.split("\n", 16);
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            int eq = lines[i].indexOf('=');
            if (eq <= 0) {
                return null;
            }
            fields.put(lines[i].substring(0, eq), lines[i].substring(eq + 1));
        }
        Long pid = parseOrNull(fields.get("pid"));
        String host = fields.get("host");
        if (pid == null || pid < 1 || host == null || host.isEmpty() || host.length() > 255) {
            return null;
        }
        Long start = parseOrNull(fields.get("start"));
        String mode = fields.getOrDefault("mode", "?");
        return new ForeignLock(ForeignLock.PY_FILELOCK, ForeignLock.Role.LOCK, "py-filelock marker (protocol 2, mode "
                + mode + ", pid " + pid + ", host " + host + (start == null ? "" : ", start tick " + start) + ")",
                host, pid, null, start, -1);
    }

    private static Long parseOrNull(String s) {
        if (s == null || s.isEmpty() || s.length() > 19) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** True when a component of {@code dir} is {@code .git} or a bare repository's {@code *.git}. */
    static boolean inGitDirectory(Path dir) {
        if (dir == null) {
            return false;
        }
        for (Path part : dir) {
            String s = part.toString();
            if (s.equals(".git") || s.endsWith(".git")) {
                return true;
            }
        }
        return false;
    }
}
