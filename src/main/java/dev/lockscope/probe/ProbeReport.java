package dev.lockscope.probe;

import dev.lockscope.text.Printable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lockscope.lock.HostIdentity;
import dev.lockscope.lock.ProcessTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What one host says about one of its pids: this host's {@link HostIdentity} and {@link ProcessTable} facts.
 * It is what {@code lockscope probe PID} prints and what the remote check reads back. Immutable; any thread.
 *
 * <p>Both ways of getting one ({@code lockscope probe} and the {@code cat} fallback, see {@link FallbackProbe})
 * end here, and everything that came over the wire passes {@link #parseJson} or the fallback's parser, which
 * check every field against a grammar: the answer comes from a host named in a lock file, so it is not trusted
 * to be well-formed.
 *
 * @param pid          the pid asked about
 * @param alive        whether a process with that pid exists in the answering pid namespace
 * @param hostId       the answering host's machine id (as {@link HostIdentity#hostId}, so LOCKSCOPE_HOST_ID counts)
 * @param bootId       its kernel boot id, or null where it has none
 * @param pidNamespace its pid namespace ({@code pid:[4026531836]}), or null
 * @param startTicks   the process's start in clock ticks since boot (field 22 of /proc/PID/stat), or null
 * @param startTime    the process's start, epoch millis, or null (the fallback cannot tell it)
 * @param hostName     the answering host's name, for people, or null
 * @param source       how the answer was obtained: {@link #SOURCE_PROBE} or {@link #SOURCE_FALLBACK}
 * @param pidsHidden   whether the answering user may not see other users' pids (/proc mounted with hidepid, not
 *                     root): then "not alive" proves nothing. True when it could not be told.
 */
public record ProbeReport(long pid, boolean alive, String hostId, String bootId, String pidNamespace,
                          Long startTicks, Long startTime, String hostName, String source, boolean pidsHidden) {

    public static final String FORMAT = "lockscope-probe/1";
    public static final String SOURCE_PROBE = "lockscope probe";
    public static final String SOURCE_FALLBACK = "cat /proc fallback";
    /** Linux's largest pid_max is 2^22; other systems stay below 2^31. */
    public static final long MAX_PID = Integer.MAX_VALUE;

    /** Only parsing needs Jackson; a holder class keeps it unloaded in {@code lockscope probe}. */
    private static final class Parser {
        static final ObjectMapper JSON = dev.lockscope.lock.JsonMappers.cliOutput();
    }
    /** A machine id: systemd's 32 hex digits, or LOCKSCOPE_HOST_ID / "name:host" style printable words. */
    static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
    static final Pattern BOOT_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    static final Pattern PID_NAMESPACE = Pattern.compile("pid:\\[[0-9]{1,20}\\]");
    static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
    private static final Set<String> FIELDS = Set.of("format", "pid", "alive", "hostId", "bootId", "pidNamespace",
            "startTicks", "startTime", "hostName", "pidsHidden");

    /** Checks a pid from the command line or a lock file: a positive number in range. */
    public static long requireValidPid(long pid) {
        if (pid <= 0 || pid > MAX_PID) {
            throw new IllegalArgumentException("not a pid: " + pid + " (must be 1.." + MAX_PID + ")");
        }
        return pid;
    }

    /** This host's answer for {@code pid}; reads /proc (through ProcessTable) and nothing else. */
    public static ProbeReport ofThisHost(long pid, HostIdentity self, ProcessTable processes) {
        requireValidPid(pid);
        boolean alive = processes.liveness(pid) == ProcessTable.Liveness.ALIVE;
        Long ticks = null;
        Long start = null;
        if (alive) {
            OptionalLong t = processes.startTicks(pid);
            ticks = t.isPresent() ? t.getAsLong() : null;
            OptionalLong s = processes.startTime(pid);
            start = s.isPresent() ? s.getAsLong() : null;
        }
        return new ProbeReport(pid, alive, self.hostId(), self.bootId(), self.pidNamespace(), ticks, start,
                self.hostName(), SOURCE_PROBE, ProcVisibility.otherUsersPidsHidden());
    }

    /**
     * The JSON that {@code lockscope probe} prints, one line. Written by hand rather than through Jackson: the
     * probe runs once per check on the remote host, and a JVM that never loads Jackson starts faster there;
     * {@link #parseJson} reads it back with Jackson, and ProbeReportTest holds the two together.
     */
    public String toJson() {
        StringBuilder b = new StringBuilder(320);
        b.append("{\"format\":");
        quote(b, FORMAT);
        b.append(",\"pid\":").append(pid);
        b.append(",\"alive\":").append(alive);
        b.append(",\"hostId\":");
        quote(b, hostId);
        b.append(",\"bootId\":");
        quote(b, bootId);
        b.append(",\"pidNamespace\":");
        quote(b, pidNamespace);
        b.append(",\"startTicks\":").append(startTicks);
        b.append(",\"startTime\":").append(startTime);
        b.append(",\"hostName\":");
        quote(b, hostName);
        b.append(",\"pidsHidden\":").append(pidsHidden);
        return b.append('}').toString();
    }

    /** A JSON string literal (or null): quote, backslash and every control character escaped. */
    private static void quote(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    /**
     * Reads what a remote {@code lockscope probe} printed: exactly one JSON object of this format, about the pid
     * that was asked, every field checked.
     *
     * @throws IllegalArgumentException with the reason when the text is anything else
     */
    public static ProbeReport parseJson(String text, long askedPid) {
        String t = text.strip();
        if (t.isEmpty() || t.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("expected one line of JSON, got " + (t.isEmpty() ? "nothing" : "several lines"));
        }
        JsonNode n;
        try {
            n = Parser.JSON.readTree(t);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException("unexpected field '" + Printable.shortened(f, 40) + "'");
            }
        }
        if (!FORMAT.equals(text(n, "format", false))) {
            throw new IllegalArgumentException("not a " + FORMAT + " answer");
        }
        JsonNode pidNode = n.get("pid");
        if (pidNode == null || !pidNode.isIntegralNumber() || pidNode.asLong() != askedPid) {
            throw new IllegalArgumentException("the answer is not about pid " + askedPid);
        }
        JsonNode aliveNode = n.get("alive");
        if (aliveNode == null || !aliveNode.isBoolean()) {
            throw new IllegalArgumentException("'alive' is not true or false");
        }
        String hostId = checked(text(n, "hostId", false), HOST_ID, "hostId");
        String bootId = checked(text(n, "bootId", true), BOOT_ID, "bootId");
        String ns = checked(text(n, "pidNamespace", true), PID_NAMESPACE, "pidNamespace");
        String name = checked(text(n, "hostName", true), HOST_NAME, "hostName");
        JsonNode hiddenNode = n.get("pidsHidden");
        if (hiddenNode == null || !hiddenNode.isBoolean()) {
            throw new IllegalArgumentException("'pidsHidden' is not true or false");
        }
        Long ticks = number(n, "startTicks");
        Long start = number(n, "startTime");
        if (!aliveNode.asBoolean() && (ticks != null || start != null)) {
            throw new IllegalArgumentException("a start time for a process that is not alive");
        }
        return new ProbeReport(askedPid, aliveNode.asBoolean(), hostId, bootId, ns, ticks, start, name, SOURCE_PROBE,
                hiddenNode.asBoolean());
    }

    private static String text(JsonNode n, String field, boolean nullable) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (nullable) {
                return null;
            }
            throw new IllegalArgumentException("'" + field + "' is missing");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' is not a string");
        }
        return v.textValue();
    }

    private static Long number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new IllegalArgumentException("'" + field + "' is not a non-negative whole number");
        }
        return v.asLong();
    }

    static String checked(String value, Pattern grammar, String what) {
        if (value != null && !grammar.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + Printable.shortened(value, 60) + "' is not well-formed");
        }
        return value;
    }

    /** Bytes to text for evidence: at most {@code max} characters, control characters escaped. */
    static String evidenceText(byte[] bytes, int length, int max) {
        return Printable.shortened(new String(bytes, 0, length, StandardCharsets.UTF_8), max);
    }
}
