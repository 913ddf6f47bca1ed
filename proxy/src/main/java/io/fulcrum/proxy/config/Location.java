package io.fulcrum.proxy.config;

import com.typesafe.config.ConfigOrigin;

/**
 * Where a config value comes from, as an operator reads it: {@code conf/fulcrum.conf:12} for a file,
 * {@code default (reference.conf:40)} for a built-in default, {@code environment variable NAME} for a
 * {@code ${?NAME}} substitution.
 *
 * @param source the file, resource or other source (used to group messages)
 * @param line   1-based, or 0 when unknown
 */
record Location(String source, int line, String text) {

    static Location of(ConfigOrigin origin) {
        if (origin == null) {
            return new Location("(unknown)", 0, "(unknown)");
        }
        int line = Math.max(origin.lineNumber(), 0);
        // A class-path resource also has a filename (or URL) when it comes from a folder or jar: it
        // is still a built-in default, so that is checked first.
        if (origin.resource() != null) {
            String res = origin.resource();
            return new Location(res, line, "default (" + (line > 0 ? res + ":" + line : res) + ")");
        }
        if (origin.filename() != null) {
            String file = origin.filename();
            return new Location(file, line, line > 0 ? file + ":" + line : file);
        }
        if (origin.url() != null) {
            String url = origin.url().toString();
            return new Location(url, line, line > 0 ? url + ":" + line : url);
        }
        // Strings parsed with an origin description, and environment variables: the description
        // carries ": LINE" at its end when a line is known.
        String description = origin.description();
        String suffix = ": " + origin.lineNumber();
        if (line > 0 && description.endsWith(suffix)) {
            description = description.substring(0, description.length() - suffix.length());
        }
        return new Location(description, line, line > 0 ? description + ":" + line : description);
    }

    @Override
    public String toString() {
        return text;
    }
}
