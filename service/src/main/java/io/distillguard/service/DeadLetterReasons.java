package io.distillguard.service;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Dead-letter reasons tallied by class: the reason with its quoted values and standalone numbers blanked, so that
 * ten thousand bad addresses make one line; each class keeps its first reason whole, to show what was wrong.
 */
public final class DeadLetterReasons {

    /** A number standing alone (not the 4 of IPv4 or the 5 of SHA-256's name), or a hex byte. */
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.-])-?(0x\\p{XDigit}+|\\d+(\\.\\d+)*)(?![\\w.])");
    private static final Pattern QUOTED = Pattern.compile("\"[^\"]*\"");

    private final Map<String, long[]> counts = new TreeMap<>();
    private final Map<String, String> examples = new TreeMap<>();

    public static String classOf(String reason) {
        return NUMBER.matcher(QUOTED.matcher(reason).replaceAll("\"...\"")).replaceAll("N");
    }

    public synchronized void add(String reason) {
        String text = reason == null ? "(no reason)" : reason;
        String kind = classOf(text);
        counts.computeIfAbsent(kind, k -> new long[1])[0]++;
        examples.putIfAbsent(kind, text);
    }

    public synchronized long total() {
        return counts.values().stream().mapToLong(c -> c[0]).sum();
    }

    /** Count by class, in the order of the classes. */
    public synchronized Map<String, Long> byClass() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v[0]));
        return copy;
    }

    /** Count by class, each class shown by its first reason whole (and a note when others differ from it). */
    public synchronized Map<String, Long> shown() {
        Map<String, Long> shown = new TreeMap<>();
        counts.forEach((kind, count) -> shown.put(examples.get(kind)
                + (count[0] > 1 && !examples.get(kind).equals(kind) ? " (and others like it)" : ""), count[0]));
        return shown;
    }
}
