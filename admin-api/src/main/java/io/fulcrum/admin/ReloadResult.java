package io.fulcrum.admin;

import java.util.List;

/**
 * What a reload requested through the API gave: the new generation, or why the new config was
 * rejected (the old one keeps serving).
 *
 * @param generation the applied generation; meaningful only when {@link #applied()}
 * @param errors     empty when applied, else one line per error ({@code file:line: message})
 */
public record ReloadResult(long generation, List<String> errors) {

    public ReloadResult {
        errors = List.copyOf(errors);
    }

    public static ReloadResult applied(long generation) {
        return new ReloadResult(generation, List.of());
    }

    public static ReloadResult rejected(List<String> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a rejected reload names at least one error");
        }
        return new ReloadResult(-1, errors);
    }

    public boolean applied() {
        return errors.isEmpty();
    }
}
