package dev.lockscope.ui.audit;

import java.nio.file.Path;

/**
 * One break recorded in {@code .lockscope-audit/}. Immutable; any thread.
 *
 * @param file     the audit file
 * @param at       when the break happened (ISO-8601 text as written), or "" when unknown
 * @param lock     the lock path
 * @param outcome  BROKEN, CHANGED, RESTORED…
 * @param verdict  the verdict the break acted on
 * @param brokenBy user@host of the breaker
 * @param forced   whether the break was forced
 * @param message  the result in words
 * @param text     the whole record, pretty-printed (bounded), or the reason it could not be parsed
 */
public record AuditEntry(Path file, String at, String lock, String outcome, String verdict, String brokenBy,
                         boolean forced, String message, String text) {
}
