package dev.lockscope.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A group-commit intent (docs/RECORDS.md): a change a writer published beside the record file for the lock
 * holder to apply, and the names its file goes by. Immutable; any thread.
 *
 * <p>For {@code D/records.json} and writer W's intent number S:
 * <ul>
 *   <li>{@code .records.json.intent-new.W.S}: being written (a writer killed here leaves it; never read);</li>
 *   <li>{@code .records.json.intent.W.S}: published, by a rename of the above, so it is whole when seen;</li>
 *   <li>{@code .records.json.taken.W.S}: taken by a holder, by a rename that is atomic against the writer's
 *       withdrawal (its unlink of the published name): exactly one of them wins; the writer watches this name
 *       go (the holder removes it once the commit is on disk) before it reads the record file for proof;</li>
 *   <li>{@code .records.json.bad-intent.W.S}: quarantined by a holder because it could not be read or parsed,
 *       or because whether it was applied could not be proved (see {@link CommitLog}).</li>
 * </ul>
 * W is 16 hex digits, S decimal. Files are found by listing the directory and matching these
 * grammars exactly; nothing read from a file becomes a path, and a file whose content names another writer
 * or number than its name is malformed.
 *
 * @param writerId  the publishing writer (one thread of one process)
 * @param seq       the writer's intent number, from 1 upwards
 * @param notBefore a generation at which the intent was certainly not yet committed
 * @param host      the publishing host, for people
 * @param pid       the publishing process, for people
 * @param ops       the change, in order
 */
public record RecordIntent(String writerId, long seq, long notBefore, String host, long pid, List<Op> ops) {

    public static final String FORMAT_TAG = "lockscope-intent/1";
    /** Most operations in one intent. */
    static final int MAX_OPS = 1000;
    static final int MAX_HOST = 255;

    /** One operation of an intent. */
    public sealed interface Op permits Put, Delete, Add {
        String name();
    }

    /** Sets {@code name} to {@code value}. */
    public record Put(String name, JsonNode value) implements Op {
    }

    /** Removes {@code name}. */
    public record Delete(String name) implements Op {
    }

    /**
     * Adds {@code delta} to the integer {@code name} (a missing record counts as 0): the read-then-decide change
     * of a counter, expressed as a function of the value the holder reads. A record that is not an integer, or
     * an overflow, refuses the whole intent; it is then recorded as applied with no effect, and its writer is
     * told.
     */
    public record Add(String name, long delta) implements Op {
    }

    public RecordIntent {
        Objects.requireNonNull(writerId, "writerId");
        Objects.requireNonNull(host, "host");
        ops = List.copyOf(ops);
    }

    /** The four names an intent file goes by, in the order of its life; each is the infix after the record file's. */
    public enum Form {
        /** {@code .R.intent-new.W.S}: being written by its writer (left behind if the writer was killed). */
        NEW("intent-new"),
        /** {@code .R.intent.W.S}: published, waiting for a lock holder to take it. */
        PUBLISHED("intent"),
        /** {@code .R.taken.W.S}: taken by a holder that is committing it (left behind if that holder died). */
        TAKEN("taken"),
        /** {@code .R.bad-intent.W.S}: quarantined by a holder that could not read it or prove its outcome. */
        QUARANTINED("bad-intent");

        private final String infix;

        Form(String infix) {
            this.infix = infix;
        }

        /** The word between the record file's name and the writer id, e.g. {@code intent-new}. */
        public String infix() {
            return infix;
        }
    }

    /**
     * Longest name of an intent file: NAME_MAX (255 bytes) on every filesystem we run on, and a name has at most
     * as many chars as bytes, so nothing longer is ours.
     */
    private static final int MAX_FILE_NAME = 255;
    /** W is 16 hex digits, S 1 to 18 decimal digits without a leading zero (so it fits a long). */
    private static final Pattern FILE_NAME = Pattern.compile("^\\.(.+)\\.("
            + Arrays.stream(Form.values()).map(f -> Pattern.quote(f.infix())).collect(Collectors.joining("|"))
            + ")\\.([0-9a-f]{16})\\.([1-9][0-9]{0,17})$", Pattern.DOTALL);

    /** A file name of the intent grammar, parsed. */
    public record Name(String recordFileName, String writerId, long seq, boolean taken) {
    }

    /**
     * Any of the four names of an intent file, parsed from the name alone.
     *
     * @param recordFileName the record file it belongs to, e.g. {@code records.json} (may hold any character a
     *                       file name may, line breaks included: escape it before showing it)
     * @param writerId       16 hex digits
     * @param seq            the writer's intent number, at least 1
     * @param form           which of the four names it is
     */
    public record FileName(String recordFileName, String writerId, long seq, Form form) {
    }

    static String publishedName(String recordFileName, String writerId, long seq) {
        return fileName(Form.PUBLISHED, recordFileName, writerId, seq);
    }

    static String newName(String recordFileName, String writerId, long seq) {
        return fileName(Form.NEW, recordFileName, writerId, seq);
    }

    static String takenName(String recordFileName, String writerId, long seq) {
        return fileName(Form.TAKEN, recordFileName, writerId, seq);
    }

    static String quarantineName(String recordFileName, String writerId, long seq) {
        return fileName(Form.QUARANTINED, recordFileName, writerId, seq);
    }

    private static String fileName(Form form, String recordFileName, String writerId, long seq) {
        return "." + recordFileName + "." + form.infix() + "." + writerId + "." + seq;
    }

    /**
     * Recognises any of the four names of an intent file (never reading it); empty for any other name, and for
     * names no record file could have: longer than a file name can be, or of a record file that could not exist
     * ({@code .}, {@code ..}, a slash or NUL in it).
     */
    public static Optional<FileName> parseFileName(String fileName) {
        if (fileName.length() > MAX_FILE_NAME) {
            return Optional.empty();
        }
        Matcher m = FILE_NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        String record = m.group(1);
        if (record.equals(".") || record.equals("..") || record.indexOf('/') >= 0 || record.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        Form form = Arrays.stream(Form.values()).filter(f -> f.infix().equals(m.group(2))).findFirst().orElseThrow();
        return Optional.of(new FileName(record, m.group(3), Long.parseLong(m.group(4)), form));
    }

    /** Recognises a published or taken intent's file name; empty for any other name. */
    public static Optional<Name> parseName(String fileName) {
        return parseFileName(fileName).filter(n -> n.form() == Form.PUBLISHED || n.form() == Form.TAKEN)
                .map(n -> new Name(n.recordFileName(), n.writerId(), n.seq(), n.form() == Form.TAKEN));
    }

    /** The file content: compact UTF-8 JSON. */
    byte[] encode() {
        ObjectNode root = RecordFormat.MAPPER.createObjectNode();
        root.put("format", FORMAT_TAG);
        root.put("writer", writerId);
        root.put("seq", seq);
        root.put("notBefore", notBefore);
        root.put("host", host);
        root.put("pid", pid);
        ArrayNode a = root.putArray("ops");
        for (Op op : ops) {
            ObjectNode o = a.addObject();
            o.put("name", op.name());
            if (op instanceof Put p) {
                o.put("op", "put").set("value", p.value());
            } else if (op instanceof Add x) {
                o.put("op", "add").put("delta", x.delta());
            } else {
                o.put("op", "delete");
            }
        }
        try {
            return RecordFormat.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an intent: " + e.getMessage(), e);
        }
    }

    /** Thrown for an intent file that is not one; the message says why, escaped for people. */
    static final class MalformedIntentException extends Exception {
        MalformedIntentException(String message) {
            super(message);
        }
    }

    /**
     * Parses an intent file's content, which must name the same writer and number as its file name.
     * The caller has bounded the size.
     */
    static RecordIntent decode(Name name, byte[] bytes) throws MalformedIntentException {
        JsonNode root = RecordFormat.parsePlainAscii(bytes);
        if (root == null) {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new MalformedIntentException("not UTF-8");
            }
            try {
                root = RecordFormat.MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                throw new MalformedIntentException("not JSON: " + RecordFormat.describeJsonError(e));
            }
        }
        if (root == null || !root.isObject()) {
            throw new MalformedIntentException("not a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!List.of("format", "writer", "seq", "notBefore", "host", "pid", "ops").contains(k)) {
                throw new MalformedIntentException("unknown field " + RecordFormat.quote(k));
            }
        }
        if (!FORMAT_TAG.equals(text(root, "format"))) {
            throw new MalformedIntentException("format is not \"" + FORMAT_TAG + "\"");
        }
        if (!name.writerId().equals(text(root, "writer")) || longOf(root, "seq", 1) != name.seq()) {
            throw new MalformedIntentException("its content names another writer or number than its file name");
        }
        String host = text(root, "host");
        if (host == null || host.length() > MAX_HOST) {
            throw new MalformedIntentException("host must be a string of at most " + MAX_HOST + " characters");
        }
        long notBefore = longOf(root, "notBefore", 0);
        long pid = longOf(root, "pid", 0);
        JsonNode ops = root.get("ops");
        if (ops == null || !ops.isArray() || ops.isEmpty() || ops.size() > MAX_OPS) {
            throw new MalformedIntentException("ops must be an array of 1 to " + MAX_OPS + " operations");
        }
        List<Op> list = new ArrayList<>();
        for (JsonNode o : ops) {
            list.add(op(o));
        }
        return new RecordIntent(name.writerId(), name.seq(), notBefore, host, pid, list);
    }

    private static Op op(JsonNode o) throws MalformedIntentException {
        if (!o.isObject()) {
            throw new MalformedIntentException("an operation is not an object");
        }
        String n = text(o, "name");
        String problem = RecordFormat.nameProblem(n);
        if (problem != null) {
            throw new MalformedIntentException("record name " + RecordFormat.quote(n) + " is invalid: " + problem);
        }
        String kind = text(o, "op");
        if ("put".equals(kind) && o.size() == 3 && o.has("value")) {
            return new Put(n, o.get("value"));
        }
        if ("delete".equals(kind) && o.size() == 2) {
            return new Delete(n);
        }
        if ("add".equals(kind) && o.size() == 3) {
            JsonNode d = o.get("delta");
            if (d != null && d.isIntegralNumber() && d.canConvertToLong()) {
                return new Add(n, d.longValue());
            }
        }
        throw new MalformedIntentException("an operation is not put{name,value}, delete{name} or add{name,delta}");
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.textValue() : null;
    }

    private static long longOf(JsonNode n, String field, long min) throws MalformedIntentException {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min) {
            throw new MalformedIntentException(field + " must be an integer of at least " + min);
        }
        return v.longValue();
    }

    /**
     * Applies the operations to {@code records} in order.
     *
     * @return the value the last operation produced when it is an {@link Add}, else null
     * @throws RefusedException when an {@link Add} meets a record that is not an integer, or overflows;
     *                          {@code records} may then be half-changed (the caller works on a copy)
     */
    JsonNode applyTo(SortedMap<String, JsonNode> records) throws RefusedException {
        JsonNode last = null;
        for (Op op : ops) {
            last = null;
            if (op instanceof Put p) {
                records.put(p.name(), p.value().deepCopy());
            } else if (op instanceof Delete d) {
                records.remove(d.name());
            } else if (op instanceof Add a) {
                {
                    JsonNode cur = records.get(a.name());
                    long base;
                    if (cur == null) {
                        base = 0;
                    } else if (cur.isIntegralNumber() && cur.canConvertToLong()) {
                        base = cur.longValue();
                    } else {
                        throw new RefusedException("record " + RecordFormat.quote(a.name()) + " is not an integer");
                    }
                    long sum;
                    try {
                        sum = Math.addExact(base, a.delta());
                    } catch (ArithmeticException e) {
                        throw new RefusedException("adding " + a.delta() + " to record " + RecordFormat.quote(a.name())
                                + " overflows");
                    }
                    last = LongNode.valueOf(sum);
                    records.put(a.name(), last);
                }
            }
        }
        return last;
    }

    /** An intent that its holder could not apply to the records as they are. */
    static final class RefusedException extends Exception {
        RefusedException(String message) {
            super(message);
        }
    }

    static JsonNode node(long v) {
        return JsonNodeFactory.instance.numberNode(v);
    }
}
