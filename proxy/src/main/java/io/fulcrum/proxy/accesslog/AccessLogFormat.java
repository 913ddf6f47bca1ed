package io.fulcrum.proxy.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The two line formats of {@code access-log.format}. Pure functions of an entry; writer thread only. */
public enum AccessLogFormat {

    /**
     * One JSON object per line, every field named, for log shippers:
     * {@code {"time":"2026-11-22T01:02:03.456Z","listener":"web","client":"10.0.0.9",...}}.
     */
    JSON {
        @Override
        public String format(AccessEntry e) {
            StringWriter out = new StringWriter(256);
            try (JsonGenerator g = JSON_FACTORY.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("time", Instant.ofEpochMilli(e.epochMillis()).toString());
                g.writeStringField("listener", e.listener());
                g.writeStringField("client", e.client());
                g.writeStringField("method", e.method());
                g.writeStringField("uri", e.uri());
                g.writeStringField("protocol", e.protocol());
                g.writeStringField("host", e.host());
                g.writeNumberField("status", e.status());
                g.writeNumberField("duration_ms", e.durationNanos() / 1e6);
                g.writeStringField("pool", e.pool());
                g.writeStringField("backend", e.backend());
                g.writeStringField("request_id", e.requestId());
                g.writeStringField("user_agent", e.userAgent());
                g.writeStringField("referer", e.referer());
                g.writeEndObject();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return out.toString();
        }
    },

    /**
     * NGINX's and Apache's combined format (size not recorded: "-"), so existing log tooling reads it:
     * {@code 10.0.0.9 - - [22/Nov/2026:01:02:03 +0000] "GET /x HTTP/1.1" 200 - "-" "curl/8.0"}.
     */
    COMBINED {
        @Override
        public String format(AccessEntry e) {
            return e.client() + " - - [" + CLF_TIME.format(Instant.ofEpochMilli(e.epochMillis())) + "] \""
                    + e.method() + ' ' + e.uri() + ' ' + e.protocol() + "\" " + e.status() + " - \""
                    + dash(e.referer()) + "\" \"" + dash(e.userAgent()) + '"';
        }
    };

    private static final JsonFactory JSON_FACTORY = new JsonFactory();
    private static final DateTimeFormatter CLF_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    public abstract String format(AccessEntry e);

    private static String dash(String s) {
        return s == null ? "-" : s.replace("\"", "\\\"");
    }

    public static AccessLogFormat of(String name) {
        return "combined".equals(name) ? COMBINED : JSON;
    }
}
