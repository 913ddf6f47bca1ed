package io.fulcrum.health.outlier;

import java.time.Duration;

/**
 * Passive outlier detection, as Envoy's consecutive-5xx ejection. Defaults ({@link #DEFAULTS}):
 * consecutive-failures 5, base-ejection-time 10s, max-ejection-time 300s.
 *
 * @param consecutiveFailures failures in a row (connect failures or 5xx) that eject; 0 turns detection off
 * @param baseEjectionTime    an ejection lasts base × times ejected ...
 * @param maxEjectionTime     ... capped at this
 */
public record OutlierSettings(int consecutiveFailures, Duration baseEjectionTime, Duration maxEjectionTime) {

    public static final OutlierSettings DEFAULTS =
            new OutlierSettings(5, Duration.ofSeconds(10), Duration.ofSeconds(300));

    public OutlierSettings {
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutive-failures must be >= 0");
        }
        if (baseEjectionTime.isNegative() || baseEjectionTime.isZero()) {
            throw new IllegalArgumentException("base-ejection-time must be > 0");
        }
        if (maxEjectionTime.compareTo(baseEjectionTime) < 0) {
            throw new IllegalArgumentException("max-ejection-time must be >= base-ejection-time");
        }
    }

    public boolean enabled() {
        return consecutiveFailures > 0;
    }
}
