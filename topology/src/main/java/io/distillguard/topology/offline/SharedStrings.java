package io.distillguard.topology.offline;

import java.util.HashMap;

/**
 * One instance per distinct text, for the texts that state keeps: an account's id is read anew from each of its
 * requests, and each window group it joins keeps the instance of the request that first put it there. Millions of
 * such copies live as long as their windows, and every one is an object (two, with its bytes) that the garbage
 * collector copies out of the young generation and marks again in the old (a fifth of a long backtest's CPU went to
 * the collector). Bounded: past {@code capacity} texts it starts over, which costs only sharing, never a result.
 *
 * <p>Not {@link String#intern}: that pool is the JVM's and unbounded for the run. Not Guava's weak interner: a weak
 * reference per entry is one more object for the collector, the very cost this removes.
 */
final class SharedStrings {

    private final int capacity;
    private final HashMap<String, String> shared;

    SharedStrings(int capacity) {
        this.capacity = capacity;
        this.shared = new HashMap<>(Math.min(capacity, 1 << 16));
    }

    /** The instance held for {@code text}'s characters, {@code text} itself the first time; null stays null. */
    String share(String text) {
        if (text == null) {
            return null;
        }
        String known = shared.putIfAbsent(text, text);
        if (known != null) {
            return known;
        }
        if (shared.size() > capacity) {
            shared.clear();
            shared.put(text, text);
        }
        return text;
    }

    int size() {
        return shared.size();
    }
}
