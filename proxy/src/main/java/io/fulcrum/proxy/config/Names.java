package io.fulcrum.proxy.config;

import java.util.regex.Pattern;

/**
 * Listener and pool names: they appear in admin API paths ({@code /api/v1/pools/web}) and metric
 * labels, so they are kept to letters, digits, '-' and '_' (no quoting, no escaping anywhere).
 */
final class Names {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private Names() {
    }

    static boolean valid(String name) {
        return NAME.matcher(name).matches();
    }

    static final String RULE = "must be 1..64 letters, digits, '-' or '_', starting with a letter or digit";
}
