package dev.lockscope.lock;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The owner record written into a claim file, and so into the lock it becomes. Immutable; any thread.
 *
 * <p>Serialised as small JSON, padded with spaces to a fixed {@link #RECORD_SIZE}: every holder's
 * record then has the same size, so a client whose cached file size is stale (sshfs keeps
 * attributes for seconds) still reads a whole record, and a heartbeat rewriting the same bytes in
 * place can never expose a torn one.
 *
 * @param format       format tag, {@link #FORMAT}
 * @param host         host name, for people
 * @param hostId       machine identity, see {@link HostIdentity}
 * @param bootId       kernel boot id or null
 * @param pidNamespace PID namespace id or null
 * @param user         user name
 * @param pid          process id
 * @param startTime    process start time, epoch millis as the OS reports it, or null when unknown
 * @param token        random acquisition token (128 bits, hex)
 * @param leaseMillis  lease: how long after the last heartbeat the lock may be judged expired
 * @param acquiredAt   acquisition time in the owner's own clock, epoch millis
 * @param purpose      free text or null
 * @param startTicks   process start in clock ticks since boot (Linux /proc/PID/stat field 22), or null:
 *                     unlike {@code startTime} it does not move when the wall clock is stepped
 * @param bootTime     when the owner's host booted, epoch millis of its own clock (Linux /proc/stat btime), or
 *                     null (older writers, other platforms): a different boot id is only proof of an earlier boot
 *                     of this host together with this, see {@link HostIdentity#isEarlierBootOf}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LockOwner(
        @JsonProperty("format") String format,
        @JsonProperty("host") String host,
        @JsonProperty("hostId") String hostId,
        @JsonProperty("bootId") String bootId,
        @JsonProperty("pidNamespace") String pidNamespace,
        @JsonProperty("user") String user,
        @JsonProperty("pid") long pid,
        @JsonProperty("startTime") Long startTime,
        @JsonProperty("token") String token,
        @JsonProperty("leaseMillis") long leaseMillis,
        @JsonProperty("acquiredAt") long acquiredAt,
        @JsonProperty("purpose") String purpose,
        @JsonProperty("startTicks") Long startTicks,
        @JsonProperty("bootTime") Long bootTime) {

    public static final String FORMAT = "lockscope-owner/1";
    public static final int RECORD_SIZE = 768;
    /** Longest purpose kept; longer text is cut so the record stays within {@link #RECORD_SIZE}. */
    public static final int MAX_PURPOSE = 160;
    /**
     * The longest lease a holder may ask for, and the longest a reader honours: a record claiming more is judged
     * against this (see {@link StalenessJudge}), so a hostile or mistaken record cannot block a lock for ever.
     * A day covers any real job whose holder heartbeats every lease/3.
     */
    public static final long MAX_LEASE_MILLIS = 24L * 60 * 60 * 1000;
    /** The longest host, host id or user read back; a kernel host name is at most 64 bytes. */
    public static final int MAX_NAME = 255;
    /** The longest boot id or PID namespace read back ({@code pid:[4026531836]}, a 36-character UUID). */
    public static final int MAX_ID = 64;
    /** Tokens as {@link LinkLock} writes them: 128 bits as 32 lower-case hex digits. */
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[0-9a-f]{32}");

    /** An owner record without boot-relative start ticks (other platforms, older writers). */
    public LockOwner(String format, String host, String hostId, String bootId, String pidNamespace, String user,
                     long pid, Long startTime, String token, long leaseMillis, long acquiredAt, String purpose) {
        this(format, host, hostId, bootId, pidNamespace, user, pid, startTime, token, leaseMillis, acquiredAt, purpose,
                null, null);
    }

    /** An owner record without a boot time (older writers, other platforms). */
    public LockOwner(String format, String host, String hostId, String bootId, String pidNamespace, String user,
                     long pid, Long startTime, String token, long leaseMillis, long acquiredAt, String purpose,
                     Long startTicks) {
        this(format, host, hostId, bootId, pidNamespace, user, pid, startTime, token, leaseMillis, acquiredAt, purpose,
                startTicks, null);
    }

    /** Only parsing needs Jackson; a holder class keeps it unloaded on paths that never parse. */
    private static final class Parser {
        static final ObjectMapper JSON = JsonMappers.ownerRecords();
    }

    public LockOwner {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(token, "token");
        if (format == null) {
            format = FORMAT;
        }
        if (purpose != null && purpose.length() > MAX_PURPOSE) {
            purpose = purpose.substring(0, MAX_PURPOSE);
        }
    }

    /** The owner record for this process. No I/O: what never changes for a process is read once. */
    public static LockOwner forCurrentProcess(String token, long leaseMillis, String purpose) {
        HostIdentity id = HostIdentity.current();
        Self self = Self.INSTANCE;
        return new LockOwner(FORMAT, id.hostName(), id.hostId(), id.bootId(), id.pidNamespace(),
                self.user, self.pid, self.startTime, token, leaseMillis, System.currentTimeMillis(), purpose,
                self.startTicks, id.bootTimeMillis());
    }

    /**
     * This process's pid, start time and user, read once: {@code ProcessHandle.info()} reads several
     * files under /proc, which would otherwise cost every acquisition a handful of system calls.
     */
    private static final class Self {
        static final Self INSTANCE = new Self();
        final long pid;
        final Long startTime;
        final Long startTicks;
        final String user;

        private Self() {
            ProcessHandle me = ProcessHandle.current();
            pid = me.pid();
            startTime = me.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(null);
            user = System.getProperty("user.name", "?");
            OptionalLong ticks = ProcessTable.readStartTicks(pid);
            startTicks = ticks.isPresent() ? ticks.getAsLong() : null;
        }
    }

    /**
     * The fixed-size bytes of this record. Written by hand rather than through Jackson: this runs on
     * every acquisition, and a CLI that only takes and releases a lock then never loads Jackson at all.
     * The output is the JSON Jackson would write for this record (same names, order and null handling);
     * {@link #parse} reads it back, and LockOwnerEncodingTest holds the two together.
     */
    public byte[] toBytes() {
        StringBuilder b = new StringBuilder(320);
        b.append('{');
        field(b, "format", format);
        field(b, "host", host);
        field(b, "hostId", hostId);
        field(b, "bootId", bootId);
        field(b, "pidNamespace", pidNamespace);
        field(b, "user", user);
        b.append(",\"pid\":").append(pid);
        if (startTime != null) {
            b.append(",\"startTime\":").append(startTime.longValue());
        }
        field(b, "token", token);
        b.append(",\"leaseMillis\":").append(leaseMillis);
        b.append(",\"acquiredAt\":").append(acquiredAt);
        field(b, "purpose", purpose);
        if (startTicks != null) {
            b.append(",\"startTicks\":").append(startTicks.longValue());
        }
        if (bootTime != null) {
            b.append(",\"bootTime\":").append(bootTime.longValue());
        }
        b.append('}');
        byte[] json = b.toString().getBytes(StandardCharsets.UTF_8);
        if (json.length + 1 > RECORD_SIZE) {
            // Only absurd host or user names get here; the record stays valid, just longer.
            byte[] out = Arrays.copyOf(json, json.length + 1);
            out[json.length] = '\n';
            return out;
        }
        byte[] out = new byte[RECORD_SIZE];
        Arrays.fill(out, (byte) ' ');
        System.arraycopy(json, 0, out, 0, json.length);
        out[RECORD_SIZE - 1] = '\n';
        return out;
    }

    private static final byte[] ACQUIRED_AT_KEY = ",\"acquiredAt\":".getBytes(StandardCharsets.US_ASCII);

    /**
     * {@link #toBytes()}, computed from the bytes of an earlier record of the same claim: when only the
     * acquisition time differs and its digits are as many, those digits are replaced in a copy. A kept claim
     * is reacquired in a few microseconds, and building the whole JSON again was half of its user time.
     */
    byte[] toBytesLike(LockOwner earlier, byte[] earlierBytes) {
        return toBytesLike(earlier, earlierBytes, -1);
    }

    /**
     * {@link #toBytesLike(LockOwner, byte[])} where the acquisition time's key is probably at {@code keyOffset} of
     * {@code earlierBytes} (see {@link #acquiredAtKeyOffset}): checked, and searched for only when it is not there.
     */
    byte[] toBytesLike(LockOwner earlier, byte[] earlierBytes, int keyOffset) {
        if (earlier == null || earlierBytes == null || !equals(earlier.withAcquiredAt(acquiredAt))) {
            return toBytes();
        }
        String oldDigits = Long.toString(earlier.acquiredAt);
        String newDigits = Long.toString(acquiredAt);
        int at = acquiredAtKeyOffset(earlierBytes, keyOffset);
        if (at < 0 || oldDigits.length() != newDigits.length()) {
            return toBytes();
        }
        int start = at + ACQUIRED_AT_KEY.length;
        byte[] out = earlierBytes.clone();
        for (int i = 0; i < newDigits.length(); i++) {
            if (out[start + i] != oldDigits.charAt(i)) {
                return toBytes();
            }
            out[start + i] = (byte) newDigits.charAt(i);
        }
        return out;
    }

    /** This record with another acquisition time. */
    LockOwner withAcquiredAt(long at) {
        return new LockOwner(format, host, hostId, bootId, pidNamespace, user, pid, startTime, token, leaseMillis, at,
                purpose, startTicks, bootTime);
    }

    /**
     * Where the acquisition time's key is in the record {@code bytes}: {@code hint} when it is there (it is the same
     * for every record of one process's claims, so callers pass the last answer), else found by a search, which
     * costs about as much as building the record again. -1 when the key is not there.
     */
    static int acquiredAtKeyOffset(byte[] bytes, int hint) {
        return startsWith(bytes, hint, ACQUIRED_AT_KEY) ? hint : indexOf(bytes, ACQUIRED_AT_KEY);
    }

    private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > bytes.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Appends {@code ,"name":"value"} (nothing for null); the first field has no comma. */
    private static void field(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        if (b.length() > 1) {
            b.append(',');
        }
        b.append('"').append(name).append("\":");
        quote(b, value);
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** A JSON string literal, escaped as Jackson escapes: quote, backslash and control characters. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                        // A lone surrogate cannot be UTF-8: write the replacement character, as the OS
                        // names that it came from would have been decoded.
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /**
     * Parses a record read from a lock or claim file.
     *
     * @throws IllegalArgumentException with the reason when the bytes are not a lockscope owner record
     */
    public static LockOwner parse(byte[] bytes, int length) {
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8).trim();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty file");
        }
        if (!text.startsWith("{")) {
            throw new IllegalArgumentException("not a lockscope owner record (does not start with '{')");
        }
        LockOwner owner;
        try {
            owner = Parser.JSON.readValue(text, LockOwner.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a lockscope owner record: " + firstLine(e.getMessage()));
        }
        if (!FORMAT.equals(owner.format())) {
            throw new IllegalArgumentException("unknown owner format '" + bounded(owner.format()) + "'");
        }
        String invalid = invalidField(owner);
        if (invalid != null) {
            throw new IllegalArgumentException("not a lockscope owner record: " + invalid);
        }
        return owner;
    }

    /**
     * Why a record read from a lock directory does not follow the grammar we write, or null when it does. A lock
     * directory is hostile ground: these fields end up in messages, verdicts and the claim name a breaker looks
     * for, so each is held to what {@link #forCurrentProcess} writes (docs/PROTOCOL.md, "A lock directory is
     * hostile ground").
     */
    static String invalidField(LockOwner o) {
        if (!isToken(o.token)) {
            return "token '" + bounded(o.token) + "' is not 32 lower-case hex digits";
        }
        String bad = badText("host", o.host, MAX_NAME, false);
        if (bad == null) {
            bad = badText("hostId", o.hostId, MAX_NAME, false);
        }
        if (bad == null) {
            bad = badText("user", o.user, MAX_NAME, true);
        }
        if (bad == null) {
            bad = badText("bootId", o.bootId, MAX_ID, true);
        }
        if (bad == null) {
            bad = badText("pidNamespace", o.pidNamespace, MAX_ID, true);
        }
        if (bad != null) {
            return bad;
        }
        // PIDs are positive and below 2^22 on Linux (pid_max); other systems stay within 32 bits.
        if (o.pid <= 0 || o.pid > Integer.MAX_VALUE) {
            return "pid " + o.pid + " is out of range";
        }
        if (o.leaseMillis <= 0) {
            return "lease " + o.leaseMillis + " ms is not positive";
        }
        if (o.acquiredAt < 0 || o.startTime != null && o.startTime < 0 || o.startTicks != null && o.startTicks < 0
                || o.bootTime != null && o.bootTime < 0) {
            return "a time field is negative";
        }
        return null;
    }

    /** Whether {@code s} is a token as we write them: the only form a claim name is ever matched with. */
    public static boolean isToken(String s) {
        return s != null && TOKEN.matcher(s).matches();
    }

    private static String badText(String field, String value, int max, boolean optional) {
        if (value == null) {
            return optional ? null : field + " is missing";
        }
        if (value.isEmpty() || value.length() > max) {
            return field + " has " + value.length() + " characters (1 to " + max + " allowed)";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return field + " holds a control character";
            }
        }
        return null;
    }

    /** At most 64 characters of hostile text, for a reason. */
    private static String bounded(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 64 ? b + "..." : b.toString();
    }

    /** The owner's printable identity, used in messages: {@code user@host pid 123}. */
    public String describe() {
        return user + "@" + host + " pid " + pid + (purpose == null ? "" : " (" + purpose + ")");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
