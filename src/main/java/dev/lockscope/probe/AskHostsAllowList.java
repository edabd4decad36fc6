package dev.lockscope.probe;

import dev.lockscope.text.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hosts the operator lets Lockscope ask over ssh. Empty by default: a host name comes from a lock file that
 * anyone who can write the directory controls, so nothing is asked until the operator opts in. Immutable; any
 * thread.
 *
 * <p>A pattern is a host name with {@code *} (any run of characters) and {@code ?} (one character), matched
 * without regard to case, like ssh_config's {@code Host} patterns: {@code batch-*}, {@code *.cluster.example}.
 * Patterns come from {@code LOCKSCOPE_ASK_HOSTS} (comma-separated), from {@link #FILE_NAME} in
 * {@code $XDG_CONFIG_HOME/lockscope/} (default {@code ~/.config/lockscope/}; one or more per line, {@code #}
 * comments), and from the inspector's settings.
 */
public final class AskHostsAllowList {

    public static final String ENV = "LOCKSCOPE_ASK_HOSTS";
    public static final String FILE_NAME = "ask-hosts";
    private static final int MAX_FILE_BYTES = 64 * 1024;
    private static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_.*?-]{1,253}");
    private static final AskHostsAllowList EMPTY = new AskHostsAllowList(List.of(), List.of());

    private final List<String> patterns;
    private final List<String> rejected;

    private AskHostsAllowList(List<String> patterns, List<String> rejected) {
        this.patterns = List.copyOf(patterns);
        this.rejected = List.copyOf(rejected);
    }

    public static AskHostsAllowList empty() {
        return EMPTY;
    }

    /** The list made of these patterns; malformed ones are kept aside in {@link #rejected()}, never matched. */
    public static AskHostsAllowList of(Collection<String> patterns) {
        List<String> ok = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (String p : patterns) {
            String t = p == null ? "" : p.strip();
            if (t.isEmpty()) {
                continue;
            }
            if (PATTERN.matcher(t).matches()) {
                ok.add(t.toLowerCase(Locale.ROOT));
            } else {
                bad.add(Printable.shortened(t, 80));
            }
        }
        return new AskHostsAllowList(ok, bad);
    }

    /** Parses comma- or line-separated patterns, with {@code #} comments. */
    public static AskHostsAllowList parse(String text) {
        List<String> items = new ArrayList<>();
        if (text != null) {
            for (String line : text.split("\n")) {
                int hash = line.indexOf('#');
                String body = hash >= 0 ? line.substring(0, hash) : line;
                for (String item : body.split("[,\\s]+")) {
                    items.add(item);
                }
            }
        }
        return of(items);
    }

    /** The operator's list: the environment variable plus the config file. */
    public static AskHostsAllowList fromEnvironment() {
        return parse(System.getenv(ENV)).plus(fromFile(configFile()));
    }

    /** {@code $XDG_CONFIG_HOME/lockscope/ask-hosts}, or {@code ~/.config/lockscope/ask-hosts}. */
    public static Path configFile() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg) : Path.of(System.getProperty("user.home", "/"), ".config");
        return base.resolve("lockscope").resolve(FILE_NAME);
    }

    /** The patterns of a config file, or an empty list when there is none; an unreadable file is rejected whole. */
    public static AskHostsAllowList fromFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(MAX_FILE_BYTES + 1);
            if (b.length > MAX_FILE_BYTES) {
                return new AskHostsAllowList(List.of(), List.of(file + ": longer than " + MAX_FILE_BYTES + " bytes"));
            }
            return parse(new String(b, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            return new AskHostsAllowList(List.of(), List.of(file + ": " + e.getMessage()));
        }
    }

    public AskHostsAllowList plus(AskHostsAllowList other) {
        List<String> p = new ArrayList<>(patterns);
        p.addAll(other.patterns);
        List<String> r = new ArrayList<>(rejected);
        r.addAll(other.rejected);
        return new AskHostsAllowList(p, r);
    }

    public List<String> patterns() {
        return patterns;
    }

    /** Patterns that were not well-formed and are ignored, for a warning. */
    public List<String> rejected() {
        return rejected;
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** Whether {@code host} (already a valid host name) may be asked. */
    public boolean allows(String host) {
        if (host == null || !HostNames.isValid(host)) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (String p : patterns) {
            if (glob(p, h)) {
                return true;
            }
        }
        return false;
    }

    /** Wildcard match with one back-tracking point (the last '*'): O(pattern x name), never exponential. */
    private static boolean glob(String p, String s) {
        int pi = 0;
        int si = 0;
        int star = -1;
        int resume = 0;
        while (si < s.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                pi++;
                si++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                resume = si;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++resume;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    @Override
    public String toString() {
        return patterns.isEmpty() ? "(empty)" : String.join(",", patterns);
    }
}
