package io.fulcrum.proxy.config;

/**
 * What consistent-hash hashes: {@code header:NAME}, {@code cookie:NAME}, {@code client-ip} or
 * {@code path}. {@code name} is empty for the last two.
 */
public record HashKeyConfig(Kind kind, String name) {

    public enum Kind { HEADER, COOKIE, CLIENT_IP, PATH }
}
