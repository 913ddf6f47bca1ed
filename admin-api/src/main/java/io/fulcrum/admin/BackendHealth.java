package io.fulcrum.admin;

import java.util.Locale;

/** What the probes say of a backend, as the admin API shows it. UNKNOWN until rise or fall decided. */
public enum BackendHealth {
    UP, DOWN, UNKNOWN;

    /** The lower-case word used in JSON. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
