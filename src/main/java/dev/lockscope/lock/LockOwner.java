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
        @JsonProperty("startTicks") Long startTicks) {

    public static final String FORMAT = "lockscope-owner/1";
    public static final int RECORD_SIZE = 768;
    /** Longest purpose kept; longer text is cut so the record stays within {@link #RECORD_SIZE}. */
    public static final int MAX_PURPOSE = 160;

    /** An owner record without boot-relative start ticks (other platforms, older writers). */
    public LockOwner(String format, String host, String hostId, String bootId, String pidNamespace, String user,
                     long pid, Long startTime, String token, long leaseMillis, long acquiredAt, String purpose) {
        this(format, host, hostId, bootId, pidNamespace, user, pid, startTime, token, leaseMillis, acquiredAt, purpose,
                null);
    }

    /** Only parsing needs Jackson; a holder class keeps it unloaded on paths that never parse. */
    private static final class Parser {
        static final ObjectMapper JSON = new ObjectMapper();
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
                self.startTicks);
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
        if (earlier == null || earlierBytes == null || !equals(earlier.withAcquiredAt(acquiredAt))) {
            return toBytes();
        }
        String oldDigits = Long.toString(earlier.acquiredAt);
        String newDigits = Long.toString(acquiredAt);
        int at = lastAcquiredAtKeyOffset;
        if (!startsWith(earlierBytes, at, ACQUIRED_AT_KEY)) {
            at = indexOf(earlierBytes, ACQUIRED_AT_KEY);
            lastAcquiredAtKeyOffset = at;
        }
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
                purpose, startTicks);
    }

    /** Where the key was in the record patched last: the same for every record of this process's claims. */
    private static volatile int lastAcquiredAtKeyOffset = -1;

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
            throw new IllegalArgumentException("unknown owner format '" + owner.format() + "'");
        }
        return owner;
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
