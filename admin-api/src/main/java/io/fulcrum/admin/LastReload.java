package io.fulcrum.admin;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of the last config reload (file change, SIGHUP or the API).
 *
 * @param result NONE when nothing was reloaded since the start
 * @param at     when it finished; null for NONE
 * @param errors why it was rejected (one line each, {@code file:line: message} where known); empty
 *               unless FAILED
 */
public record LastReload(Result result, Instant at, List<String> errors) {

    /** How the last reload ended. */
    public enum Result { NONE, OK, FAILED }

    /** No reload since the start. */
    public static final LastReload NONE = new LastReload(Result.NONE, null, List.of());

    public LastReload {
        Objects.requireNonNull(result, "result");
        errors = List.copyOf(errors);
    }
}
