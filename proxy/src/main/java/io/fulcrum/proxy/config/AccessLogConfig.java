package io.fulcrum.proxy.config;

/** The access log: {@code path} "" = off; {@code format} json | combined. */
public record AccessLogConfig(String path, String format) {
}
