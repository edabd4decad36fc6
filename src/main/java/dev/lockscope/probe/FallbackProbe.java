package dev.lockscope.probe;

import dev.lockscope.text.Printable;
import java.util.regex.Pattern;

/**
 * The answer of a host without lockscope: {@code cat} and {@code readlink}, and a parser that accepts exactly
 * what they print and nothing else. Stateless; any thread.
 *
 * <p>The remote command is {@code cat /proc/PID/stat /proc/sys/kernel/random/boot_id /etc/machine-id; readlink
 * /proc/self/ns/pid; id -u; grep -c -E '<hidepid /proc mount>' /proc/mounts}, built from constants and a validated
 * number (the last two tell whether the login may be blind to other users' pids). The one part of unbounded shape is the stat
 * line (the command name inside it may hold spaces, parentheses and even newlines), so it comes first and the
 * three fixed-grammar lines after it: the parser takes those (and the two numbers) from the end, each against its grammar, and
 * what is left must be either nothing (no such pid: cat prints nothing for it) or exactly one stat record of
 * the pid asked about. A missing file, a shell's login banner, or any other text shifts or adds lines and so
 * fails a grammar: the answer is then rejected, never half-read.
 */
public final class FallbackProbe {
    private static final Pattern STAT_TAIL = Pattern.compile(
            " ([RSDZTtWXxKPI]) (-?[0-9]{1,20}(?: -?[0-9]{1,20}){17,80})\n");
    private static final Pattern MACHINE_ID = Pattern.compile("[0-9a-f]{32}");

    private FallbackProbe() {
    }

    /** The remote command line for {@code pid}; the pid is checked, the rest is constant. */
    public static String command(long pid) {
        ProbeReport.requireValidPid(pid);
        return "cat /proc/" + pid + "/stat /proc/sys/kernel/random/boot_id /etc/machine-id; readlink /proc/self/ns/pid; "
                + "id -u; grep -c -E '" + HIDEPID_MOUNT + "' /proc/mounts";
    }

    /** A /proc/mounts line of /proc with a hidepid that hides other users' pids (see {@link ProcVisibility}). */
    private static final String HIDEPID_MOUNT = " /proc proc [^ ]*hidepid=([12]|invisible|noaccess)";
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,10}");

    /**
     * @throws IllegalArgumentException with the reason when the text is not exactly that command's output
     */
    public static ProbeReport parse(String text, long pid) {
        if (text.isEmpty() || text.charAt(text.length() - 1) != '\n') {
            throw new IllegalArgumentException("the answer does not end with a line break");
        }
        // The last two lines: the uid, and how many /proc mounts hide pids. Then the rest as before.
        int countStart = text.lastIndexOf('\n', text.length() - 2) + 1;
        int uidStart = countStart == 0 ? 0 : text.lastIndexOf('\n', countStart - 2) + 1;
        if (uidStart == 0) {
            throw new IllegalArgumentException("the answer has fewer than five lines");
        }
        String hiding = ProbeReport.checked(text.substring(countStart, text.length() - 1), NUMBER, "hidepid count line");
        String uid = ProbeReport.checked(text.substring(uidStart, countStart - 1), NUMBER, "uid line");
        boolean pidsHidden = !uid.equals("0") && !hiding.equals("0");
        text = text.substring(0, uidStart);
        int end = text.length() - 1;
        int nsStart = text.lastIndexOf('\n', end - 1) + 1;
        String ns = text.substring(nsStart, end);
        if (nsStart == 0) {
            throw new IllegalArgumentException("the answer has fewer than three lines");
        }
        int midStart = text.lastIndexOf('\n', nsStart - 2) + 1;
        String machineId = text.substring(midStart, nsStart - 1);
        if (midStart == 0) {
            throw new IllegalArgumentException("the answer has fewer than three lines");
        }
        int bootStart = text.lastIndexOf('\n', midStart - 2) + 1;
        String bootId = text.substring(bootStart, midStart - 1);
        String stat = text.substring(0, bootStart);
        ProbeReport.checked(ns, ProbeReport.PID_NAMESPACE, "pid namespace line");
        ProbeReport.checked(machineId, MACHINE_ID, "machine id line");
        ProbeReport.checked(bootId, ProbeReport.BOOT_ID, "boot id line");
        if (stat.isEmpty()) {
            return new ProbeReport(pid, false, machineId, bootId, ns, null, null, null, ProbeReport.SOURCE_FALLBACK,
                    pidsHidden);
        }
        String head = pid + " (";
        int close = stat.lastIndexOf(')');
        if (!stat.startsWith(head) || close < head.length() - 1 || close - head.length() > 64) {
            throw new IllegalArgumentException("the stat line is not about pid " + pid + ": '"
                    + Printable.shortened(stat, 80) + "'");
        }
        var tail = STAT_TAIL.matcher(stat.substring(close + 1));
        if (!tail.matches()) {
            throw new IllegalArgumentException("the stat line's fields are not well-formed: '" + Printable.shortened(stat, 120) + "'");
        }
        char state = tail.group(1).charAt(0);
        // Fields 4.. follow the state; field 22 (start ticks) is the 19th of them.
        String[] f = tail.group(2).split(" ");
        long ticks = Long.parseLong(f[18]);
        // A zombie (Z) or dying (X, x) task runs no code any more: its lock is not being used.
        boolean alive = state != 'Z' && state != 'X' && state != 'x';
        return new ProbeReport(pid, alive, machineId, bootId, ns, alive ? ticks : null, null, null,
                ProbeReport.SOURCE_FALLBACK, pidsHidden);
    }
}
