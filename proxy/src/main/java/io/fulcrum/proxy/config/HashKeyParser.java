package io.fulcrum.proxy.config;

import java.util.regex.Pattern;

/** Parses a pool's {@code hash-key}: {@code header:NAME | cookie:NAME | client-ip | path}. Stateless. */
final class HashKeyParser {

    /** RFC 9110 token characters: what a header or cookie name may contain. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    static final String SYNTAX = "header:NAME, cookie:NAME, client-ip or path";

    private HashKeyParser() {
    }

    /** Throws IllegalArgumentException with a message fit for an operator. */
    static HashKeyConfig parse(String text) {
        String s = text.trim();
        if (s.equals("client-ip")) {
            return new HashKeyConfig(HashKeyConfig.Kind.CLIENT_IP, "");
        }
        if (s.equals("path")) {
            return new HashKeyConfig(HashKeyConfig.Kind.PATH, "");
        }
        int colon = s.indexOf(':');
        if (colon > 0) {
            String kind = s.substring(0, colon);
            String name = s.substring(colon + 1).trim();
            if (kind.equals("header") || kind.equals("cookie")) {
                if (!TOKEN.matcher(name).matches()) {
                    throw new IllegalArgumentException("'" + text + "': " + kind + " name '" + name + "' is not a valid name");
                }
                return new HashKeyConfig(kind.equals("header") ? HashKeyConfig.Kind.HEADER : HashKeyConfig.Kind.COOKIE, name);
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not one of " + SYNTAX);
    }
}
