package dev.lockscope.record;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockscope.lock.JsonMappers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The on-disk format of a record file (docs/RECORDS.md): encoding and strict decoding. Stateless; any thread.
 *
 * <pre>{@code
 * {
 *   "format" : "lockscope-records/1",
 *   "generation" : 7,
 *   "writer" : { "host" : "web1", "hostId" : "...", "user" : "app", "pid" : 4242,
 *                "writtenAt" : "2026-11-27T05:00:00.123Z", "tool" : "lockscope 0.1.0" },
 *   "records" : { "name" : <any JSON value>, ... }
 * }
 * }</pre>
 *
 * <p>Decoding is strict, because a record file we do not fully understand must never be rewritten
 * (a rewrite would drop what we did not understand): UTF-8 only, no duplicate keys, no trailing
 * content, no unknown top-level fields. Numbers keep their exact digits.
 */
public final class RecordFormat {

    /** The format tag this version reads and writes. */
    public static final String FORMAT_TAG = "lockscope-records/1";
    /** Longest record name, in UTF-16 chars. */
    public static final int MAX_NAME_LENGTH = 1024;

    static final Set<String> TOP_LEVEL = Set.of("format", "generation", "writer", "records", "commits");

    static final ObjectMapper MAPPER = JsonMappers.recordsFile();

    private RecordFormat() {
    }

    /** The mapper used for record values (strict, exact numbers). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** What a record file holds; {@code commits} is {@link CommitLog#EMPTY} when the file has none. */
    public record Decoded(long generation, WriterStamp writer, SortedMap<String, JsonNode> records, CommitLog commits) {
        public Decoded(long generation, WriterStamp writer, SortedMap<String, JsonNode> records) {
            this(generation, writer, records, CommitLog.EMPTY);
        }
    }

    /** The bytes of one generation: pretty-printed UTF-8 JSON, records sorted by name, a final newline. */
    public static byte[] encode(long generation, WriterStamp writer, Map<String, JsonNode> records) {
        return encode(generation, writer, records, CommitLog.EMPTY);
    }

    /**
     * As {@link #encode(long, WriterStamp, Map)}, with the group-commit log ({@link CommitLog}) after the
     * records; an empty log is not written, so a file that never took an intent keeps the original layout.
     */
    public static byte[] encode(long generation, WriterStamp writer, Map<String, JsonNode> records, CommitLog commits) {
        if (generation < 1) {
            throw new IllegalArgumentException("generation must be at least 1, got " + generation);
        }
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT_TAG);
        root.put("generation", generation);
        ObjectNode w = root.putObject("writer");
        w.put("host", writer.host());
        w.put("hostId", writer.hostId());
        w.put("user", writer.user());
        w.put("pid", writer.pid());
        w.put("writtenAt", writer.writtenAt().toString());
        w.put("tool", writer.tool());
        ObjectNode r = root.putObject("records");
        for (Map.Entry<String, JsonNode> e : new TreeMap<>(records).entrySet()) {
            validateName(e.getKey());
            r.set(e.getKey(), requireValue(e.getKey(), e.getValue()));
        }
        if (!commits.isEmpty()) {
            ObjectNode c = root.putObject("commits");
            c.put("evictedThrough", commits.evictedThrough());
            ObjectNode ws = c.putObject("writers");
            for (Map.Entry<String, CommitLog.Entry> e : commits.writers().entrySet()) {
                ObjectNode x = ws.putObject(e.getKey());
                x.put("seq", e.getValue().seq());
                x.put("generation", e.getValue().generation());
                if (e.getValue().value() != null) {
                    x.set("value", e.getValue().value());
                }
                if (e.getValue().refused() != null) {
                    x.put("refused", e.getValue().refused());
                }
            }
        }
        try {
            byte[] body = MAPPER.writeValueAsBytes(root);
            byte[] out = new byte[body.length + 1];
            System.arraycopy(body, 0, out, 0, body.length);
            out[body.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode records: " + e.getMessage(), e);
        }
    }

    /** Files are padded to a size class no smaller than this. */
    public static final int MIN_SIZE_CLASS = 4096;

    /**
     * The size a file of {@code n} content bytes is padded to: a multiple of 4 KiB up to 16 KiB, then a
     * multiple of a quarter of the largest power of two not above {@code n} (at most 25 % padding).
     *
     * <p>Why: a client whose cached file size is stale (sshfs keeps attributes for up to 20 s) cuts a
     * read at that old size. Successive generations mostly share one size class, so such a client still
     * reads whole files; and a read cut at a size that is not a size class cannot be a stale-size cut.
     */
    public static long sizeClass(long n) {
        if (n <= MIN_SIZE_CLASS) {
            return MIN_SIZE_CLASS;
        }
        long step = Math.max(MIN_SIZE_CLASS, Long.highestOneBit(n) / 4);
        return (n + step - 1) / step * step;
    }

    /** True when {@code n} is a size class, so a file cut at {@code n} bytes may be a stale-size read. */
    public static boolean isSizeClass(long n) {
        return n > 0 && sizeClass(n) == n;
    }

    /**
     * {@code content} padded with spaces and a final newline to its size class, but never beyond
     * {@code limit} (and never shorter than the content).
     */
    public static byte[] pad(byte[] content, long limit) {
        long target = Math.min(sizeClass(content.length), limit);
        if (target <= content.length) {
            return content;
        }
        byte[] out = Arrays.copyOf(content, (int) target);
        Arrays.fill(out, content.length, out.length - 1, (byte) ' ');
        out[out.length - 1] = '\n';
        return out;
    }

    /**
     * Decodes a whole file.
     *
     * @throws CorruptRecordFileException naming {@code file} and the problem
     */
    public static Decoded decode(Path file, byte[] bytes) throws CorruptRecordFileException {
        if (bytes.length == 0) {
            throw new CorruptRecordFileException(file, CorruptRecordFileException.Problem.EMPTY, "0 bytes");
        }
        JsonNode root = parsePlainAscii(bytes);
        String text = root != null ? null : strictUtf8(file, bytes);
        try {
            if (root == null) {
                root = MAPPER.readTree(text);
            }
        } catch (JsonProcessingException e) {
            // Input that stops mid-document (an open object, a cut literal or string) is a truncation;
            // an error before the end of the text is garbage.
            boolean atEnd = e instanceof com.fasterxml.jackson.core.io.JsonEOFException
                    || e.getOriginalMessage() != null && e.getOriginalMessage().contains("end-of-input")
                    || errorAtEnd(text, e);
            throw new CorruptRecordFileException(file, atEnd ? CorruptRecordFileException.Problem.TRUNCATED
                    : CorruptRecordFileException.Problem.NOT_JSON,
                    describeJsonError(e) + " (file has " + bytes.length + " bytes)", bytes.length);
        }
        if (root == null || root.isMissingNode()) {
            throw new CorruptRecordFileException(file, CorruptRecordFileException.Problem.EMPTY,
                    "only white space");
        }
        if (!root.isObject()) {
            throw unknown(file, "the top level is " + kind(root) + ", not an object");
        }
        JsonNode format = root.get("format");
        if (format == null) {
            throw unknown(file, "there is no \"format\" field (expected \"" + FORMAT_TAG + "\")");
        }
        if (!format.isTextual() || !FORMAT_TAG.equals(format.textValue())) {
            throw unknown(file, "format is " + format + "; this version reads \"" + FORMAT_TAG + "\" only");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TOP_LEVEL.contains(k)) {
                throw unknown(file, "unknown top-level field \"" + k + "\" (rewriting would drop it)");
            }
        }
        JsonNode gen = root.get("generation");
        if (gen == null || !gen.isIntegralNumber() || !gen.canConvertToLong() || gen.longValue() < 1) {
            throw unknown(file, "\"generation\" must be an integer of at least 1, found "
                    + (gen == null ? "nothing" : gen.toString()));
        }
        WriterStamp writer = decodeWriter(file, root.get("writer"));
        JsonNode recs = root.get("records");
        if (recs == null || !recs.isObject()) {
            throw unknown(file, "\"records\" must be an object, found " + (recs == null ? "nothing" : kind(recs)));
        }
        TreeMap<String, JsonNode> map = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = recs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String problem = nameProblem(e.getKey());
            if (problem != null) {
                throw unknown(file, "record name " + quote(e.getKey()) + " is invalid: " + problem);
            }
            map.put(e.getKey(), e.getValue());
        }
        return new Decoded(gen.longValue(), writer, map, decodeCommits(file, root.get("commits"), gen.longValue()));
    }

    /** The optional {@code commits} field; every value bounded, every id of the one grammar we write. */
    private static CommitLog decodeCommits(Path file, JsonNode c, long generation) throws CorruptRecordFileException {
        if (c == null) {
            return CommitLog.EMPTY;
        }
        if (!c.isObject() || c.size() != 2 || !c.has("evictedThrough") || !c.has("writers")) {
            throw unknown(file, "\"commits\" must be an object with \"evictedThrough\" and \"writers\" only");
        }
        long evicted = boundedLong(file, c.get("evictedThrough"), "commits.evictedThrough", 0, generation);
        JsonNode ws = c.get("writers");
        if (!ws.isObject() || ws.size() > CommitLog.MAX_DECODED_WRITERS) {
            throw unknown(file, "commits.writers must be an object of at most " + CommitLog.MAX_DECODED_WRITERS
                    + " writers");
        }
        TreeMap<String, CommitLog.Entry> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = ws.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!CommitLog.WRITER_ID.matcher(e.getKey()).matches()) {
                throw unknown(file, "commits.writers has an invalid writer id " + quote(e.getKey()));
            }
            JsonNode x = e.getValue();
            if (!x.isObject() || !x.has("seq") || !x.has("generation")
                    || x.size() != 2 + (x.has("value") ? 1 : 0) + (x.has("refused") ? 1 : 0)) {
                throw unknown(file, "commits.writers." + e.getKey() + " must hold seq, generation and an optional"
                        + " value or refused");
            }
            JsonNode v = x.get("value");
            if (v != null && !(v.isIntegralNumber() && v.canConvertToLong())) {
                throw unknown(file, "commits.writers." + e.getKey() + ".value must be an integer");
            }
            JsonNode refused = x.get("refused");
            if (refused != null && !(refused.isTextual() && refused.textValue().length() <= 300)) {
                throw unknown(file, "commits.writers." + e.getKey() + ".refused must be a string of at most 300 characters");
            }
            m.put(e.getKey(), new CommitLog.Entry(boundedLong(file, x.get("seq"), "commits seq", 1, Long.MAX_VALUE),
                    boundedLong(file, x.get("generation"), "commits generation", 1, generation), v,
                    refused == null ? null : refused.textValue()));
        }
        return new CommitLog(m, evicted);
    }

    private static long boundedLong(Path file, JsonNode n, String what, long min, long max)
            throws CorruptRecordFileException {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw unknown(file, what + " must be an integer from " + min + " to " + max + ", found " + n);
        }
        return n.longValue();
    }

    private static WriterStamp decodeWriter(Path file, JsonNode w) throws CorruptRecordFileException {
        if (w == null || !w.isObject()) {
            throw unknown(file, "\"writer\" must be an object, found " + (w == null ? "nothing" : kind(w)));
        }
        String[] texts = {"host", "hostId", "user", "writtenAt", "tool"};
        for (String k : texts) {
            if (w.get(k) == null || !w.get(k).isTextual()) {
                throw unknown(file, "writer." + k + " must be a string");
            }
        }
        if (w.get("pid") == null || !w.get("pid").isIntegralNumber() || !w.get("pid").canConvertToLong()) {
            throw unknown(file, "writer.pid must be an integer");
        }
        Instant at;
        try {
            at = WriterStamp.parseInstant(w.get("writtenAt").textValue());
        } catch (DateTimeParseException e) {
            throw unknown(file, "writer.writtenAt is not an ISO-8601 instant: " + w.get("writtenAt"));
        }
        return new WriterStamp(w.get("host").textValue(), w.get("hostId").textValue(), w.get("user").textValue(),
                w.get("pid").longValue(), at, w.get("tool").textValue());
    }

    /** Parses a record value given by a user: any single JSON value. */
    public static JsonNode parseValue(String json) throws JsonProcessingException {
        JsonNode n = MAPPER.readTree(json);
        if (n == null || n.isMissingNode()) {
            throw new com.fasterxml.jackson.core.JsonParseException((JsonParser) null, "no JSON value (empty input)");
        }
        return n;
    }

    /**
     * True when {@code a} and {@code b} are the same value written the same way: {@code 1.10} and {@code 1.1}
     * differ (Jackson's own equals calls them equal), because the store keeps a number's text. Object
     * members compare regardless of order. Null means "no record" and equals only null.
     */
    public static boolean sameValue(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(EXACT_LEAVES, b);
    }

    /** {@link #sameValue} for every record of two maps. */
    public static boolean sameRecords(Map<String, JsonNode> a, Map<String, JsonNode> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : a.entrySet()) {
            if (!sameValue(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Leaf comparison for {@link #sameValue}: decimals by value and scale. */
    private static final java.util.Comparator<JsonNode> EXACT_LEAVES = (x, y) -> {
        if (x.isBigDecimal() && y.isBigDecimal()) {
            return x.decimalValue().equals(y.decimalValue()) ? 0 : 1;
        }
        return x.equals(y) ? 0 : 1;
    };

    /** Compact JSON text of a value (exact numbers). */
    public static String toJson(JsonNode value, boolean pretty) {
        try {
            return pretty ? MAPPER.writeValueAsString(value)
                    : MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException when {@code name} cannot be a record name */
    public static void validateName(String name) {
        String p = nameProblem(name);
        if (p != null) {
            throw new IllegalArgumentException("invalid record name " + quote(name) + ": " + p);
        }
    }

    /** Why {@code name} cannot be a record name, or null when it can. */
    public static String nameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "it is empty";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "it is longer than " + MAX_NAME_LENGTH + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "it contains control character U+" + String.format("%04X", (int) c);
            }
            if (Character.isSurrogate(c)) {
                boolean pair = Character.isHighSurrogate(c) && i + 1 < name.length()
                        && Character.isLowSurrogate(name.charAt(i + 1));
                if (!pair) {
                    return "it contains an unpaired surrogate";
                }
                i++;
            }
        }
        return null;
    }

    static JsonNode requireValue(String name, JsonNode v) {
        if (v == null || v.isMissingNode()) {
            throw new IllegalArgumentException("record " + quote(name) + " has no value (use JSON null for null)");
        }
        return v;
    }

    /**
     * The fast path of parsing, for the common file: every byte printable-range ASCII or white space (no NUL, so
     * Jackson's encoding detection cannot take it for UTF-16 or UTF-32; nothing above 0x7F, so it is valid UTF-8
     * without a byte-order mark). Parsing the bytes skips decoding them into a String first. Null when the
     * content is not like that or does not parse: the caller then takes the String path, whose error messages
     * and checks are the reference.
     */
    static JsonNode parsePlainAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b <= 0) {
                return null;
            }
        }
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private static String strictUtf8(Path file, byte[] bytes) throws CorruptRecordFileException {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = dec.decode(in, out, true);
        if (r.isUnderflow() && in.hasRemaining() || r.isError() && incompleteTail(bytes, in.position())) {
            throw new CorruptRecordFileException(file, CorruptRecordFileException.Problem.TRUNCATED,
                    "it ends inside a UTF-8 character after " + bytes.length + " bytes", bytes.length);
        }
        if (r.isError()) {
            throw new CorruptRecordFileException(file, CorruptRecordFileException.Problem.NOT_UTF8,
                    "invalid byte sequence at byte offset " + in.position() + " of " + bytes.length);
        }
        r = dec.flush(out);
        if (r.isError()) {
            throw new CorruptRecordFileException(file, CorruptRecordFileException.Problem.TRUNCATED,
                    "it ends inside a UTF-8 character after " + bytes.length + " bytes", bytes.length);
        }
        out.flip();
        if (out.length() > 0 && out.charAt(0) == '\uFEFF') {
            throw unknown(file, "it starts with a byte-order mark; record files are UTF-8 without BOM");
        }
        return out.toString();
    }

    /** A JSON syntax error for people: the parser's message without its source dump, and the location. */
    public static String describeJsonError(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
        m = m.replaceAll("\\[Source: [^;\\]]*; ", "[");
        return m + location(e);
    }

    /** True when the parser stopped at the last token of the text (a literal or number cut short). */
    static boolean errorAtEnd(String text, JsonProcessingException e) {
        var loc = e.getLocation();
        if (loc == null || loc.getLineNr() < 1) {
            return false;
        }
        int lineStart = 0;
        for (int line = 1; line < loc.getLineNr(); line++) {
            int nl = text.indexOf('\n', lineStart);
            if (nl < 0) {
                return false;
            }
            lineStart = nl + 1;
        }
        // Jackson places the error at the start of the bad token; "at the end" means that token is the
        // last thing in the text (a cut-off literal such as "tru", or a cut number).
        long index = loc.getCharOffset() >= 0 ? loc.getCharOffset() : lineStart + (long) loc.getColumnNr() - 1;
        String tail = text.stripTrailing();
        if (index >= tail.length()) {
            return true;
        }
        for (int i = (int) Math.max(0, index); i < tail.length(); i++) {
            char c = tail.charAt(i);
            if (Character.isWhitespace(c) || "{}[],:\"".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** True when bytes[from..] is the start of a UTF-8 sequence that the end of the data cut short. */
    static boolean incompleteTail(byte[] bytes, int from) {
        int left = bytes.length - from;
        if (left <= 0 || left > 3) {
            return false;
        }
        int lead = bytes[from] & 0xff;
        int need = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
        if (need == 0 || left >= need) {
            return false;
        }
        for (int i = from + 1; i < bytes.length; i++) {
            if ((bytes[i] & 0xC0) != 0x80) {
                return false;
            }
        }
        return true;
    }

    private static String location(JsonProcessingException e) {
        var loc = e.getLocation();
        if (loc == null) {
            return "";
        }
        return " at line " + loc.getLineNr() + " column " + loc.getColumnNr();
    }

    private static CorruptRecordFileException unknown(Path file, String detail) {
        return new CorruptRecordFileException(file, CorruptRecordFileException.Problem.UNKNOWN_FORMAT, detail);
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder b = new StringBuilder("'");
        for (char c : shown.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.append('\'').toString();
    }
}
