package io.fulcrum.proxy.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The admin API. {@code token} comes from {@code token} (usually {@code ${?FULCRUM_ADMIN_TOKEN}}) or
 * is read from {@code token-file} at load time; never both. Defaults: bind 127.0.0.1:9090,
 * state-file fulcrum-state.json (relative paths resolve against the config file's folder).
 */
public record AdminConfig(HostPort bind, Optional<String> token, Path stateFile) {
}
