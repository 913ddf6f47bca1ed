package io.fulcrum.proxy.config;

import java.time.Duration;

/** Client-side timeouts. Defaults: client-header 10s, client-idle 60s, shutdown-grace 30s. */
public record TimeoutsConfig(Duration clientHeader, Duration clientIdle, Duration shutdownGrace) {
}
