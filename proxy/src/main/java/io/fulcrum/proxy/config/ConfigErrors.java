package io.fulcrum.proxy.config;

import com.typesafe.config.ConfigOrigin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The problems found while loading one config, each tied to the place it comes from, formatted as
 * {@code FILE:LINE: PATH: MESSAGE} like a compiler's errors. Confined to the loading thread.
 */
final class ConfigErrors {

    private record Entry(String source, int line, int seq, String text) {
    }

    private final List<Entry> entries = new ArrayList<>();

    /** Records a problem with the value (or object) that has {@code origin}, shown under {@code path}. */
    void add(ConfigOrigin origin, String path, String message) {
        Location at = Location.of(origin);
        entries.add(new Entry(at.source(), at.line(), entries.size(), at + ": " + path + ": " + message));
    }

    /** Records a problem that has no better place than a whole file (it cannot be read, say). */
    void addForFile(String file, String message) {
        entries.add(new Entry(file, 0, entries.size(), file + ": " + message));
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Every problem, grouped by source in order of first appearance and by line within a source, so
     * an operator reads them top to bottom as in the file.
     */
    List<String> messages() {
        Map<String, Integer> rank = new HashMap<>();
        for (Entry e : entries) {
            rank.putIfAbsent(e.source(), rank.size());
        }
        return entries.stream()
                .sorted(Comparator.<Entry>comparingInt(e -> rank.get(e.source()))
                        .thenComparingInt(Entry::line)
                        .thenComparingInt(Entry::seq))
                .map(Entry::text)
                .toList();
    }

    /** Throws when anything was recorded. */
    void throwIfAny() throws InvalidConfigException {
        if (!entries.isEmpty()) {
            throw new InvalidConfigException(messages());
        }
    }
}
