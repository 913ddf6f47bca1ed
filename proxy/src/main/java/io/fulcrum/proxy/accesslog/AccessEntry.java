package io.fulcrum.proxy.accesslog;

/**
 * One request as the access log records it. Built on the event loop from values already at hand
 * (no formatting there); formatted on the writer thread.
 *
 * @param pool    null when no route matched
 * @param backend null when Fulcrum answered on its own
 */
public record AccessEntry(long epochMillis, String listener, String client, String method, String uri,
                          String protocol, String host, String userAgent, String referer, String requestId,
                          int status, long durationNanos, String pool, String backend) {
}
