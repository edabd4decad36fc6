package dev.lockscope.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One audit record of a break, {@code format: "lockscope-break/1"}: the one place that writes the record
 * ({@link LockBreaker}) and reads it (the inspector's audit view). Immutable; any thread.
 *
 * <p>The bytes are those of the first version, field for field and in the same order: records written before
 * this class existed read the same, and a record written now reads the same in an older inspector. Reading is
 * lenient, since the audit directory is hostile ground like the rest of the lock directory: a missing or
 * mistyped field becomes "" or "?", never an error.
 *
 * @param format        {@link #FORMAT}
 * @param lock          the lock's path
 * @param outcome       BREAKING while the break runs (left so by a breaker that stopped), then a
 *                      {@link BreakResult.Outcome} name
 * @param message       the outcome in words
 * @param forced        whether the break was forced
 * @param brokenBy      user@host of the breaker
 * @param breakerHostId the breaker's host id
 * @param breakerPid    the breaker's pid
 * @param at            when the break began, ISO-8601
 * @param verdict       the state the break acted on
 * @param reason        the verdict's reason, or null
 * @param evidence      what the break checked the lock against; null when the record has none
 * @param owner         the owner record as judged (as written, not validated again), or null
 * @param movedTo       the name the lock was renamed to, or null
 * @param keptAs        where a lock that could not be put back was kept, or null
 */
public record BreakAudit(String format, String lock, String outcome, String message, boolean forced, String brokenBy,
                         String breakerHostId, long breakerPid, String at, String verdict, String reason,
                         Evidence evidence, JsonNode owner, String movedTo, String keptAs) {

    public static final String FORMAT = "lockscope-break/1";
    /** The outcome of a record whose break has not finished (or whose breaker stopped). */
    public static final String BREAKING = "BREAKING";

    /**
     * The evidence a break checked against.
     *
     * @param content the lock's bytes as text, when it held no owner record; else null
     */
    public record Evidence(long inode, long mtimeMillis, long size, long nlink, long serverNowMillis,
                           long heartbeatAgeMillis, String content) {
    }

    /** The record of a break about to rename {@code file}'s judged lock to {@code moved}: outcome BREAKING. */
    static BreakAudit intent(LockFile file, Verdict judged, boolean force, Path moved) {
        HostIdentity me = HostIdentity.current();
        LockIdentity id = judged.identity();
        JsonNode owner = judged.owner() == null ? null : JsonMappers.audit().valueToTree(judged.owner());
        return new BreakAudit(FORMAT, file.path().toString(), BREAKING, "breaking lock " + file.path()
                + ": renaming it to " + moved.getFileName()
                + "; a record left in this state means the breaker stopped before it finished", force,
                System.getProperty("user.name", "?") + "@" + me.hostName(), me.hostId(), ProcessHandle.current().pid(),
                Instant.now().toString(), judged.state().name(), judged.reason(),
                new Evidence(id.inode(), id.mtimeMillis(), id.size(), judged.nlink(), judged.serverNowMillis(),
                        judged.heartbeatAgeMillis(),
                        judged.owner() == null ? new String(id.content(), StandardCharsets.UTF_8) : null),
                owner, moved.getFileName().toString(), null);
    }

    /** This record with the break's outcome; {@code keptAs} where the moved lock was kept, or null. */
    BreakAudit completed(BreakResult.Outcome result, String resultMessage, Path kept) {
        return new BreakAudit(format, lock, result.name(), resultMessage, forced, brokenBy, breakerHostId, breakerPid,
                at, verdict, reason, evidence, owner, movedTo, kept == null ? keptAs : kept.toString());
    }

    /** The record as written to {@code .lockscope-audit/}: pretty-printed JSON in the first version's field order. */
    byte[] toBytes() throws IOException {
        ObjectMapper json = JsonMappers.audit();
        ObjectNode n = json.createObjectNode();
        n.put("format", format);
        n.put("lock", lock);
        n.put("outcome", outcome);
        n.put("message", message);
        n.put("forced", forced);
        n.put("brokenBy", brokenBy);
        n.put("breakerHostId", breakerHostId);
        n.put("breakerPid", breakerPid);
        n.put("at", at);
        n.put("verdict", verdict);
        n.put("reason", reason);
        if (evidence != null) {
            ObjectNode ev = n.putObject("evidence");
            ev.put("inode", evidence.inode());
            ev.put("mtimeMillis", evidence.mtimeMillis());
            ev.put("size", evidence.size());
            ev.put("nlink", evidence.nlink());
            ev.put("serverNowMillis", evidence.serverNowMillis());
            ev.put("heartbeatAgeMillis", evidence.heartbeatAgeMillis());
            if (evidence.content() != null) {
                ev.put("content", evidence.content());
            }
        }
        if (owner != null) {
            n.set("owner", owner);
        }
        if (movedTo != null) {
            n.put("movedTo", movedTo);
        }
        if (keptAs != null) {
            n.put("keptAs", keptAs);
        }
        return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(n);
    }

    /**
     * The record {@code n} holds, leniently: what is missing or of another type reads as "" (texts that may be
     * empty: lock, message, at), "?" (outcome, verdict, brokenBy), false, -1 or null (reason, which a verdict may
     * lack, and the optional parts).
     */
    public static BreakAudit of(JsonNode n) {
        JsonNode ev = n.path("evidence");
        Evidence evidence = ev.isObject() ? new Evidence(ev.path("inode").asLong(-1), ev.path("mtimeMillis").asLong(-1),
                ev.path("size").asLong(-1), ev.path("nlink").asLong(-1), ev.path("serverNowMillis").asLong(-1),
                ev.path("heartbeatAgeMillis").asLong(-1), ev.hasNonNull("content") ? ev.get("content").asText() : null)
                : null;
        return new BreakAudit(n.path("format").asText(""), n.path("lock").asText(""), n.path("outcome").asText("?"),
                n.path("message").asText(""), n.path("forced").asBoolean(false), n.path("brokenBy").asText("?"),
                n.path("breakerHostId").asText(""), n.path("breakerPid").asLong(-1), n.path("at").asText(""),
                n.path("verdict").asText("?"), n.hasNonNull("reason") ? n.get("reason").asText() : null, evidence,
                n.hasNonNull("owner") ? n.get("owner") : null,
                n.hasNonNull("movedTo") ? n.get("movedTo").asText() : null,
                n.hasNonNull("keptAs") ? n.get("keptAs").asText() : null);
    }
}
