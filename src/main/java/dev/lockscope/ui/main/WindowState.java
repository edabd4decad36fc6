package dev.lockscope.ui.main;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where the inspector window was and how it was divided when it last closed. Immutable; any thread.
 * Values read from the settings file are bounded by {@link #bounded()} before use: the file is ours, but a
 * hand-edited or damaged one must not open a window of a million pixels or off every screen.
 *
 * @param x              left edge in screen coordinates
 * @param y              top edge
 * @param width          width of the window (not maximized)
 * @param height         height of the window (not maximized)
 * @param maximized      whether it was maximized
 * @param sidebarDivider the divider between the directory list and the tabs (0..1)
 * @param tableDivider   the divider between the lock table and the details (0..1)
 * @param detailsDivider the divider between the details and the raw bytes (0..1)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WindowState(@JsonProperty("x") double x, @JsonProperty("y") double y,
                          @JsonProperty("width") double width, @JsonProperty("height") double height,
                          @JsonProperty("maximized") boolean maximized,
                          @JsonProperty("sidebarDivider") double sidebarDivider,
                          @JsonProperty("tableDivider") double tableDivider,
                          @JsonProperty("detailsDivider") double detailsDivider) {

    /** The size the window opens at the first time. */
    public static final double DEFAULT_WIDTH = 1180;
    public static final double DEFAULT_HEIGHT = 760;
    /** Below this the toolbar and status bar cannot be read; the window cannot be made smaller. */
    public static final double MIN_WIDTH = 720;
    public static final double MIN_HEIGHT = 480;
    private static final double MAX_SIDE = 16_384;

    /** The first launch: default size, placed by the platform (NaN position), default dividers. */
    public static WindowState initial() {
        return new WindowState(Double.NaN, Double.NaN, DEFAULT_WIDTH, DEFAULT_HEIGHT, false, 0.2, 0.58, 0.6);
    }

    /** This state with every value within its range (sizes between minimum and a sane maximum, dividers 0.05..0.95). */
    public WindowState bounded() {
        return new WindowState(finiteOrNaN(x), finiteOrNaN(y), side(width, MIN_WIDTH, DEFAULT_WIDTH),
                side(height, MIN_HEIGHT, DEFAULT_HEIGHT), maximized, divider(sidebarDivider, 0.2),
                divider(tableDivider, 0.58), divider(detailsDivider, 0.6));
    }

    /** True when the window has a remembered position. */
    public boolean hasPosition() {
        return !Double.isNaN(x) && !Double.isNaN(y);
    }

    private static double finiteOrNaN(double v) {
        return Double.isFinite(v) && Math.abs(v) < MAX_SIDE ? v : Double.NaN;
    }

    private static double side(double v, double min, double fallback) {
        if (!Double.isFinite(v) || v <= 0) {
            return fallback;
        }
        return Math.max(min, Math.min(MAX_SIDE, v));
    }

    private static double divider(double v, double fallback) {
        return Double.isFinite(v) && v >= 0.05 && v <= 0.95 ? v : fallback;
    }
}
