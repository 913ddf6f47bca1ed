package io.fulcrum.proxy.config;

import java.time.Duration;

/**
 * Passive outlier detection from live traffic (Envoy's consecutive-5xx / gateway-failure ejection).
 * Defaults: consecutive-failures 5, base-ejection-time 10s, max-ejection-time 300s. An ejected
 * backend stays out for base × number of times ejected (capped at max), and active probes bring it
 * back after that. consecutive-failures 0 turns it off.
 */
public record OutlierConfig(int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime) {
}
