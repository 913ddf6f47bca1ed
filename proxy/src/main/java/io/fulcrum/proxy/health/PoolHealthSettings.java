package io.fulcrum.proxy.health;

import io.fulcrum.health.ProbeSettings;
import io.fulcrum.health.ProbeType;
import io.fulcrum.health.outlier.OutlierSettings;
import io.fulcrum.health.weight.WeightSettings;
import io.fulcrum.proxy.config.HealthConfig;
import io.fulcrum.proxy.config.OutlierConfig;
import io.fulcrum.proxy.config.PoolConfig;
import java.time.Duration;

/**
 * Turns a pool's validated config into the health library's settings. Pure functions, any thread.
 * A section a hand-built config left out (null) gets the library's defaults, which are SPEC's.
 */
public final class PoolHealthSettings {

    private PoolHealthSettings() {
    }

    /** {@code health { type, path, interval, timeout, rise, fall, agent-port }} → how each backend is probed. */
    public static ProbeSettings probe(PoolConfig pool) {
        HealthConfig h = pool.health();
        if (h == null) {
            return ProbeSettings.DEFAULTS;
        }
        ProbeSettings d = ProbeSettings.DEFAULTS;
        return new ProbeSettings(
                h.type() == null ? d.type() : ProbeType.parse(h.type()),
                h.path() == null ? d.path() : h.path(),
                h.interval() == null ? d.interval() : h.interval(),
                h.timeout() == null ? d.timeout() : h.timeout(),
                h.rise() < 1 ? d.rise() : h.rise(),
                h.fall() < 1 ? d.fall() : h.fall(),
                h.agentPort());
    }

    /** {@code outlier { consecutive-failures, base-ejection-time, max-ejection-time }}; 0 failures = off. */
    public static OutlierSettings outlier(PoolConfig pool) {
        OutlierConfig o = pool.outlier();
        if (o == null) {
            return OutlierSettings.DEFAULTS;
        }
        OutlierSettings d = OutlierSettings.DEFAULTS;
        return new OutlierSettings(o.consecutiveFailures(),
                o.baseEjectionTime() == null ? d.baseEjectionTime() : o.baseEjectionTime(),
                o.maxEjectionTime() == null ? d.maxEjectionTime() : o.maxEjectionTime());
    }

    /**
     * The dynamic-weight tuning: the probe interval (reports arrive that often and fade after three of
     * them) and {@code slow-start}; the rest are the library's fixed defaults.
     */
    public static WeightSettings weights(PoolConfig pool) {
        Duration slowStart = pool.slowStart() == null ? Duration.ZERO : pool.slowStart();
        return WeightSettings.of(probe(pool).interval(), slowStart);
    }
}
