package io.fulcrum.proxy.config;

/**
 * Limits. Defaults: max-header-bytes 16384 (431 above), max-connections 100000 (client connections
 * per daemon; new ones are closed at once above it), max-request-body-bytes 0 = unlimited (413
 * above), max-uri-bytes 8192 (414 above).
 */
public record LimitsConfig(int maxHeaderBytes, int maxConnections, long maxRequestBodyBytes, int maxUriBytes) {
}
