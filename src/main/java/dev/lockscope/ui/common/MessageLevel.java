package dev.lockscope.ui.common;

/** How a message shown to the operator should look. Any thread. */
public enum MessageLevel {
    /** Neutral news: a cancellation, a step in progress. */
    INFO,
    /** The action did what was asked. */
    SUCCESS,
    /** Nothing harmful happened, but not what was asked either (refused, changed, skipped). */
    WARNING,
    /** Something failed, or is wrong on disk. */
    ERROR
}
