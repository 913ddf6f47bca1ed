package io.fulcrum.admin;

import java.util.Locale;

/** Where a backend came from: the config file or the admin API (which wins across reloads). */
public enum BackendSource {
    CONFIG, API;

    /** The lower-case word used in JSON. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
