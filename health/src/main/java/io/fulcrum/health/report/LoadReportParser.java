package io.fulcrum.health.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the ORCA {@code endpoint-load-metrics} header, in the two text forms Envoy accepts:
 * <pre>
 * TEXT cpu_utilization=0.42, mem_utilization=0.30, rps_fractional=120.0, named_metrics.connections=17
 * JSON {"cpu_utilization":0.42, "mem_utilization":0.30, "named_metrics":{"connections":17}}
 * </pre>
 * The binary form ({@code BIN <base64 protobuf>}) is not supported and reported as malformed.
 * Unknown plain keys are ignored (ORCA grows; a newer backend must not be rejected), but a value that is
 * not a finite, non-negative number makes the whole report malformed: half a report could mislead
 * the weights. Stateless and thread-safe.
 */
public final class LoadReportParser {

    /** The header name, lower case as HTTP/2 and Netty's header maps want it. */
    public static final String HEADER = "endpoint-load-metrics";

    /**
     * Made on the first JSON report, not with this class: building Jackson's first mapper sets up the
     * JDK's locale and calendar data, about 200 ms of CPU, which would otherwise land on the checker's
     * thread (on the proxy's core) at the first TEXT report, right after every start.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private static final String NAMED_PREFIX = "named_metrics.";

    private LoadReportParser() {
    }

    public static LoadReport parse(String headerValue, long receivedAtNanos, Instant receivedAt)
            throws MalformedReportException {
        if (headerValue == null) {
            throw new MalformedReportException("empty report");
        }
        String v = headerValue.strip();
        int space = v.indexOf(' ');
        String format = (space < 0 ? v : v.substring(0, space)).toUpperCase(Locale.ROOT);
        String body = space < 0 ? "" : v.substring(space + 1).strip();
        Fields f = new Fields();
        switch (format) {
            case "TEXT" -> parseText(body, f);
            case "JSON" -> parseJson(body, f);
            default -> throw new MalformedReportException("unsupported format '" + format
                    + "' (expected TEXT or JSON)");
        }
        return new LoadReport(f.cpu, f.mem, f.rps, f.eps, f.named, receivedAtNanos, receivedAt);
    }

    private static void parseText(String body, Fields f) throws MalformedReportException {
        if (body.isEmpty()) {
            throw new MalformedReportException("TEXT report without fields");
        }
        for (String pair : body.split(",", -1)) {
            String p = pair.strip();
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new MalformedReportException("expected key=value, got '" + p + "'");
            }
            String key = p.substring(0, eq).strip();
            f.put(key, number(key, p.substring(eq + 1).strip()));
        }
    }

    private static void parseJson(String body, Fields f) throws MalformedReportException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedReportException("invalid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedReportException("JSON report is not an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("named_metrics")) {
                if (!e.getValue().isObject()) {
                    throw new MalformedReportException("named_metrics is not an object");
                }
                for (Iterator<Map.Entry<String, JsonNode>> n = e.getValue().fields(); n.hasNext(); ) {
                    Map.Entry<String, JsonNode> m = n.next();
                    f.put(NAMED_PREFIX + m.getKey(), number(m.getKey(), m.getValue()));
                }
            } else if (isKnown(e.getKey())) {
                f.put(e.getKey(), number(e.getKey(), e.getValue()));
            }
            // Other ORCA fields (utilization, request_cost, application_utilization...) are ignored.
        }
    }

    private static boolean isKnown(String key) {
        return switch (key) {
            case "cpu_utilization", "mem_utilization", "rps_fractional", "eps" -> true;
            default -> false;
        };
    }

    private static double number(String key, JsonNode node) throws MalformedReportException {
        if (!node.isNumber()) {
            throw new MalformedReportException(key + " is not a number: " + node);
        }
        return check(key, node.doubleValue());
    }

    private static double number(String key, String text) throws MalformedReportException {
        try {
            return check(key, Double.parseDouble(text));
        } catch (NumberFormatException e) {
            throw new MalformedReportException(key + " is not a number: '" + text + "'");
        }
    }

    private static double check(String key, double d) throws MalformedReportException {
        if (!Double.isFinite(d) || d < 0) {
            throw new MalformedReportException(key + " must be a finite number >= 0, got " + d);
        }
        return d;
    }

    /** Collects fields; absent ones stay NaN. */
    private static final class Fields {
        double cpu = Double.NaN;
        double mem = Double.NaN;
        double rps = Double.NaN;
        double eps = Double.NaN;
        final Map<String, Double> named = new HashMap<>();

        void put(String key, double value) throws MalformedReportException {
            switch (key) {
                case "cpu_utilization" -> cpu = value;
                case "mem_utilization" -> mem = value;
                case "rps_fractional" -> rps = value;
                case "eps" -> eps = value;
                default -> {
                    if (key.startsWith(NAMED_PREFIX) && key.length() > NAMED_PREFIX.length()) {
                        named.put(key.substring(NAMED_PREFIX.length()), value);
                    } else if (key.isEmpty() || key.startsWith(NAMED_PREFIX)) {
                        throw new MalformedReportException("bad key '" + key + "'");
                    }
                    // any other plain key: a newer ORCA field we do not use
                }
            }
        }
    }
}
