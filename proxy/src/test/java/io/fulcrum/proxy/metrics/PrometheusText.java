package io.fulcrum.proxy.metrics;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line must be a
 * {@code # HELP}, a {@code # TYPE} or a sample of a family typed before it, with well-formed labels and
 * a number; anything else fails. Samples are kept by name and sorted labels for lookups.
 */
final class PrometheusText {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") .*");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:\\\\.|[^\"\\\\])*\"";
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(?:" + LABEL + "(?:," + LABEL + ")*,?)?\\})?"
            + " (NaN|[+-]Inf|[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)(?: -?\\d+)?");
    private static final Pattern ONE_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:\\\\.|[^\"\\\\])*)\"");
    private static final Set<String> SUFFIXES = Set.of("_bucket", "_count", "_sum", "_total", "_created", "_info");

    /** Family name → its TYPE. */
    final Map<String, String> types = new LinkedHashMap<>();
    /** "name{a="1",b="2"}" with labels sorted → value. */
    final Map<String, Double> samples = new HashMap<>();

    private PrometheusText() {
    }

    static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            Matcher m;
            if (line.startsWith("# HELP ")) {
                if (!HELP.matcher(line).matches()) {
                    throw new AssertionError("line " + n + " is not a HELP line: " + line);
                }
            } else if (line.startsWith("#")) {
                m = TYPE.matcher(line);
                if (!m.matches()) {
                    throw new AssertionError("line " + n + " is not a TYPE line: " + line);
                }
                p.types.put(m.group(1), m.group(2));
            } else {
                m = SAMPLE.matcher(line);
                if (!m.matches()) {
                    throw new AssertionError("line " + n + " is not a sample: " + line);
                }
                String name = m.group(1);
                if (p.family(name) == null) {
                    throw new AssertionError("line " + n + ": sample of an untyped family: " + line);
                }
                String key = key(name, labels(m.group(2)));
                if (p.samples.put(key, Double.parseDouble(m.group(3).replace("Inf", "Infinity"))) != null) {
                    throw new AssertionError("line " + n + ": duplicate sample " + key);
                }
            }
        }
        return p;
    }

    /** The family a sample name belongs to ({@code x_bucket} → {@code x}), or null. */
    String family(String sample) {
        if (types.containsKey(sample)) {
            return sample;
        }
        for (String s : SUFFIXES) {
            if (sample.endsWith(s) && types.containsKey(sample.substring(0, sample.length() - s.length()))) {
                return sample.substring(0, sample.length() - s.length());
            }
        }
        return null;
    }

    private static Map<String, String> labels(String block) {
        Map<String, String> labels = new TreeMap<>();
        if (block != null) {
            Matcher m = ONE_LABEL.matcher(block);
            while (m.find()) {
                labels.put(m.group(1), m.group(2));
            }
        }
        return labels;
    }

    private static String key(String name, Map<String, String> sortedLabels) {
        StringBuilder b = new StringBuilder(name).append('{');
        sortedLabels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        return b.append('}').toString();
    }

    /** The value of the sample with exactly these labels ({@code "k", "v", ...}), or null. */
    Double value(String name, String... labelPairs) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        return samples.get(key(name, labels));
    }

    /** True when some sample of that name has all these labels (others may be present). */
    boolean hasSample(String name, String... labelPairs) {
        outer:
        for (String key : samples.keySet()) {
            if (!key.startsWith(name + "{")) {
                continue;
            }
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!key.contains(labelPairs[i] + "=\"" + labelPairs[i + 1] + "\",")) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
