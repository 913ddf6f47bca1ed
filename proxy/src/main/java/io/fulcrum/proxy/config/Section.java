package io.fulcrum.proxy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * One HOCON object of the user's config read against its template from reference.conf: the template's
 * keys are the only ones allowed and its non-null values are the defaults. Every getter records a
 * problem in {@link ConfigErrors} instead of throwing and then returns {@code null}, so one load
 * reports every problem. Confined to the loading thread.
 */
final class Section {

    private final ConfigObject own;
    private final ConfigObject template;
    private final String path;
    private final ConfigErrors errors;

    Section(ConfigObject own, ConfigObject template, String path, ConfigErrors errors) {
        this.own = own;
        this.template = template;
        this.path = path;
        this.errors = errors;
    }

    /** The dotted path of this object as messages show it: {@code fulcrum.pools.web.backends[1]}. */
    String path() {
        return path;
    }

    String pathOf(String key) {
        return path + "." + ConfigUtil.joinPath(key);
    }

    /** Where this object starts (its opening brace). */
    ConfigOrigin origin() {
        return own.origin();
    }

    ConfigErrors errors() {
        return errors;
    }

    /** Records a problem with the value at {@code key}, or with this object when it has none. */
    void error(String key, String message) {
        ConfigValue v = value(key);
        errors.add(v != null ? v.origin() : own.origin(), pathOf(key), message);
    }

    /** Reports every key of this object that its template does not know, with a suggestion for typos. */
    void rejectUnknownKeys() {
        for (String key : keysInFileOrder(own)) {
            if (!template.containsKey(key)) {
                errors.add(own.get(key).origin(), pathOf(key), "unknown key" + Suggestion.among(key, template.keySet()));
            }
        }
    }

    /** The value at {@code key}: the user's, else the default; null when neither is set (or null). */
    ConfigValue value(String key) {
        ConfigValue v = own.get(key);
        if (v == null || v.valueType() == ConfigValueType.NULL) {
            v = template.get(key);
        }
        return v == null || v.valueType() == ConfigValueType.NULL ? null : v;
    }

    boolean has(String key) {
        return value(key) != null;
    }

    /** A string, or null when unset (no problem) or not a string (a problem). */
    String string(String key) {
        return convert(key, "a string", Config::getString);
    }

    /** A string that must be set. */
    String requiredString(String key) {
        if (!has(key)) {
            errors.add(own.origin(), pathOf(key), "required");
            return null;
        }
        return string(key);
    }

    /** A whole number in {@code min..max}. */
    Integer integer(String key, int min, int max) {
        Long n = wholeNumber(key, min, max);
        return n == null ? null : n.intValue();
    }

    /** A size in bytes ({@code 16384}, {@code 16k}, {@code 1MiB}) in {@code min..max}. */
    Long bytes(String key, long min, long max) {
        ConfigValue v = value(key);
        if (v != null && v.valueType() == ConfigValueType.NUMBER) {
            // A plain number: checked as one, so -1 says "must be at least 0" rather than "not a size".
            return wholeNumber(key, min, max);
        }
        Long n = convert(key, "a size in bytes such as 16384 or 16k", Config::getBytes);
        return n == null || !inRange(key, n, min, max) ? null : n;
    }

    /** A duration ({@code 2s}, {@code 500ms}); above zero, or at least zero when {@code zeroAllowed}. */
    Duration duration(String key, boolean zeroAllowed) {
        Duration d = convert(key, "a duration such as 2s or 500ms", Config::getDuration);
        if (d == null) {
            return null;
        }
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            error(key, (zeroAllowed ? "must not be negative" : "must be above zero") + ", got " + render(value(key)));
            return null;
        }
        return d;
    }

    /** A list of strings; null when unset. */
    List<String> stringList(String key) {
        return convert(key, "a list of strings", Config::getStringList);
    }

    /**
     * The nested object at {@code key}, read against {@code childTemplate}; when unset, the template
     * alone (its defaults). Null when the value is not an object.
     */
    Section object(String key, ConfigObject childTemplate) {
        ConfigValue v = own.get(key);
        if (v == null || v.valueType() == ConfigValueType.NULL) {
            return new Section(childTemplate, childTemplate, pathOf(key), errors);
        }
        if (!(v instanceof ConfigObject obj)) {
            errors.add(v.origin(), pathOf(key), "expected an object { ... }, got " + render(v));
            return null;
        }
        Section child = new Section(obj, childTemplate, pathOf(key), errors);
        child.rejectUnknownKeys();
        return child;
    }

    /**
     * The list of objects at {@code key}, each read against {@code itemTemplate} (its unknown keys
     * already reported); entries that are not objects are reported and left out. Null when unset or
     * not a list.
     */
    List<Section> objects(String key, ConfigObject itemTemplate) {
        ConfigValue v = value(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof ConfigList list)) {
            error(key, "expected a list [ ... ], got " + render(v));
            return null;
        }
        List<Section> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue item = list.get(i);
            String itemPath = pathOf(key) + "[" + i + "]";
            if (item instanceof ConfigObject obj) {
                Section s = new Section(obj, itemTemplate, itemPath, errors);
                s.rejectUnknownKeys();
                out.add(s);
            } else {
                errors.add(item.origin(), itemPath, "expected an object { ... }, got " + render(item));
            }
        }
        return out;
    }

    /**
     * The entries of a map-like object at {@code key} (such as {@code pools}), in file order, each
     * read against {@code itemTemplate}. Null when not an object.
     */
    List<Map.Entry<String, Section>> entries(String key, ConfigObject itemTemplate) {
        ConfigValue v = value(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof ConfigObject obj)) {
            error(key, "expected an object { name { ... } }, got " + render(v));
            return null;
        }
        List<Map.Entry<String, Section>> out = new ArrayList<>();
        for (String name : keysInFileOrder(obj)) {
            ConfigValue item = obj.get(name);
            String itemPath = pathOf(key) + "." + ConfigUtil.joinPath(name);
            if (item instanceof ConfigObject entry) {
                Section s = new Section(entry, itemTemplate, itemPath, errors);
                s.rejectUnknownKeys();
                out.add(Map.entry(name, s));
            } else {
                errors.add(item.origin(), itemPath, "expected an object { ... }, got " + render(item));
            }
        }
        return out;
    }

    private Long wholeNumber(String key, long min, long max) {
        Number n = convert(key, "a whole number", Config::getNumber);
        if (n == null) {
            return null;
        }
        double d = n.doubleValue();
        if (d != Math.rint(d) || Double.isInfinite(d)) {
            error(key, "expected a whole number, got " + render(value(key)));
            return null;
        }
        long whole = n.longValue();
        return inRange(key, whole, min, max) ? whole : null;
    }

    private boolean inRange(String key, long n, long min, long max) {
        if (n >= min && n <= max) {
            return true;
        }
        String range = max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? "at least " + min : min + ".." + max;
        error(key, "must be " + range + ", got " + render(value(key)));
        return false;
    }

    /**
     * Converts with com.typesafe.config's own rules (so "2s", "16k" and "100" work as HOCON users
     * expect), turning its exception into our message.
     */
    private <T> T convert(String key, String expected, BiFunction<Config, String, T> getter) {
        ConfigValue v = value(key);
        if (v == null) {
            return null;
        }
        try {
            return getter.apply(v.atKey("v"), "v");
        } catch (ConfigException e) {
            errors.add(v.origin(), pathOf(key), "expected " + expected + ", got " + render(v));
            return null;
        }
    }

    /** A value as the operator wrote it, shortened: {@code 'fast'}, {@code 0}, {@code [a, b]}. */
    static String render(ConfigValue v) {
        if (v == null) {
            return "nothing";
        }
        String text = v.valueType() == ConfigValueType.STRING
                ? "'" + v.unwrapped() + "'"
                : v.render(ConfigRenderOptions.concise());
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    /**
     * The keys of an object in the order they appear in the files (HOCON objects are unordered maps):
     * by source, then line, then name. Pools keep this order.
     */
    static List<String> keysInFileOrder(ConfigObject obj) {
        return obj.keySet().stream()
                .sorted(Comparator.<String, String>comparing(k -> String.valueOf(Location.of(obj.get(k).origin()).source()))
                        .thenComparingInt(k -> obj.get(k).origin().lineNumber())
                        .thenComparing(k -> k))
                .toList();
    }
}
