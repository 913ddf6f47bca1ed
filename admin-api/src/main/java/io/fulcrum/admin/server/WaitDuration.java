package io.fulcrum.admin.server;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the HOCON-like durations of query parameters such as {@code ?wait=30s}: a whole number and
 * a unit ({@code ms}, {@code s}, {@code m}, {@code h}, {@code d}, or their long HOCON spellings
 * {@code millis}, {@code seconds}, ...). A bare number is milliseconds, as in HOCON. Examples:
 * {@code 500ms} = 0.5 s, {@code 30s}, {@code 2m} = 120 s. Stateless.
 */
final class WaitDuration {

    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,12})\\s*([a-zA-Z]*)\\s*");

    private WaitDuration() {
    }

    /** @throws IllegalArgumentException with an operator-readable message if the text is not a duration */
    static Duration parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 500ms, 30s, 2m)");
        }
        long amount = Long.parseLong(m.group(1));
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "":
            case "ms":
            case "milli":
            case "millis":
            case "millisecond":
            case "milliseconds":
                return Duration.ofMillis(amount);
            case "s":
            case "second":
            case "seconds":
                return Duration.ofSeconds(amount);
            case "m":
            case "minute":
            case "minutes":
                return Duration.ofMinutes(amount);
            case "h":
            case "hour":
            case "hours":
                return Duration.ofHours(amount);
            case "d":
            case "day":
            case "days":
                return Duration.ofDays(amount);
            default:
                throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + m.group(2)
                        + "' (use ms, s, m, h or d)");
        }
    }
}
