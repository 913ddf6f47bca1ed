package io.fulcrum.proxy.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Builds the {@code fulcrum_request_duration_seconds} histogram of one (pool, backend) pair.
 *
 * <p>Fixed buckets from 1 ms to 60 s (the spread of an HTTP proxy's answers: cache hits to slow
 * uploads), so every series has the same 16 buckets and can be aggregated across backends.
 *
 * <p>Why the one-year-plus expiry: Micrometer keeps the max (and non-Prometheus histograms) in a
 * ring of time windows that the recording thread rotates under a monitor when a window ends. With a
 * window longer than any uptime, nothing ever rotates, so recording is a few {@code LongAdder}
 * additions and a CAS, never a lock. The price: {@code fulcrum_request_duration_seconds_max} is the
 * maximum since the backend appeared, not over the last minute. Prometheus's own histogram buckets
 * are cumulative anyway.
 */
final class DurationTimers {

    static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2).plusNanos(500_000), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private static final Duration NEVER_ROTATE = Duration.ofDays(1825);

    private DurationTimers() {
    }

    static Timer register(MeterRegistry registry, String pool, String backend) {
        return Timer.builder(DaemonMetrics.REQUEST_DURATION)
                .description("Time from the request head to the end of the answer, by pool and backend"
                        + " (\"\" when Fulcrum answered itself)")
                .tags("pool", pool, "backend", backend)
                .serviceLevelObjectives(BUCKETS)
                .distributionStatisticExpiry(NEVER_ROTATE)
                .distributionStatisticBufferLength(1)
                .register(registry);
    }
}
