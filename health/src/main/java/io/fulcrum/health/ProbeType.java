package io.fulcrum.health;

import java.util.Locale;

/** The active health check of a pool: {@code http}, {@code tcp} or {@code none} (SPEC section 5). */
public enum ProbeType {
    /** GET the configured path; 2xx/3xx within the timeout passes. */
    HTTP,
    /** A TCP connect within the timeout passes. */
    TCP,
    /** No probing: the status stays what it was given (the agent check, if configured, still runs). */
    NONE;

    /** Parses the config spelling ({@code http | tcp | none}, any case). */
    public static ProbeType parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "http" -> HTTP;
            case "tcp" -> TCP;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("health type must be http, tcp or none, got '" + s + "'");
        };
    }
}
