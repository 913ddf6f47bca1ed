package io.fulcrum.health.report;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Parses one line of HAProxy's agent-check protocol: words separated by commas and/or spaces, each a
 * percentage ({@code 75%}) or a state ({@code up}, {@code down}, {@code fail}, {@code stopped},
 * {@code drain}, {@code maint}, {@code ready}). As in HAProxy, {@code maxconn:N} is accepted and
 * ignored (Fulcrum has its own per-backend limit) and anything after {@code #} is a free-text
 * description. An unknown word makes the whole reply malformed, so a typo in an agent is seen (and
 * counted) rather than half applied. Stateless and thread-safe.
 */
public final class AgentReplyParser {

    /** HAProxy caps a server's weight at 256; a percentage beyond 1000 is surely a mistake. */
    static final int MAX_PERCENT = 1000;

    private AgentReplyParser() {
    }

    public static AgentReply parse(String line, long receivedAtNanos) throws MalformedReportException {
        if (line == null) {
            throw new MalformedReportException("empty agent reply");
        }
        int hash = line.indexOf('#');
        String words = (hash < 0 ? line : line.substring(0, hash)).strip();
        if (words.isEmpty()) {
            throw new MalformedReportException("empty agent reply");
        }
        OptionalInt percent = OptionalInt.empty();
        Optional<AgentState> state = Optional.empty();
        for (String raw : words.split("[,\\s]+")) {
            String w = raw.toLowerCase(Locale.ROOT);
            if (w.isEmpty()) {
                continue;
            }
            if (w.endsWith("%")) {
                percent = OptionalInt.of(percent(w));
            } else if (w.startsWith("maxconn:")) {
                String n = w.substring("maxconn:".length());
                if (n.isEmpty() || !n.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new MalformedReportException("bad maxconn '" + w + "'");
                } // valid, and ignored
            } else {
                state = Optional.of(state(w));
            }
        }
        return new AgentReply(percent, state, receivedAtNanos);
    }

    private static int percent(String w) throws MalformedReportException {
        String digits = w.substring(0, w.length() - 1);
        if (digits.isEmpty() || digits.length() > 4 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedReportException("bad percentage '" + w + "'");
        }
        int p = Integer.parseInt(digits);
        if (p > MAX_PERCENT) {
            throw new MalformedReportException("percentage over " + MAX_PERCENT + "%: '" + w + "'");
        }
        return p;
    }

    private static AgentState state(String w) throws MalformedReportException {
        return switch (w) {
            case "up" -> AgentState.UP;
            case "down", "fail", "stopped" -> AgentState.DOWN;
            case "drain" -> AgentState.DRAIN;
            case "maint" -> AgentState.MAINT;
            case "ready" -> AgentState.READY;
            default -> throw new MalformedReportException("unknown agent word '" + w + "'");
        };
    }
}
