package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendStats;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code peak-ewma}: latency-aware, as Finagle's and linkerd's balancers. Cost of a backend =
 * peak-EWMA response time × (in-flight + 1) / effective weight (the estimate is kept by
 * {@link BackendStats}); power of two choices over that cost ({@link TwoChoiceSelector}).
 *
 * <p>Example: a answers in 10 ms with 2 in flight (cost 30), b in 40 ms with 0 in flight (cost 40):
 * a still wins; at 4 in flight on a (cost 50) b takes the next request. A backend that turns slow
 * jumps to its slow time at once (the peak) and only earns traffic back as the estimate decays.
 *
 * <p>A backend with no response yet is costed at {@code defaultRttNanos} (linkerd's 30 ms), so that a
 * new backend is neither flooded (cost 0) nor starved. The +1 ns keeps in-flight counts meaningful
 * when estimates have decayed to nothing.
 */
public final class PeakEwmaStrategy implements Strategy {

    /** linkerd's default RTT for an endpoint with no observation yet. */
    public static final long DEFAULT_RTT_NANOS = TimeUnit.MILLISECONDS.toNanos(30);

    private final RandomSource random;
    private final LongSupplier nanoClock;
    private final double defaultRttNanos;

    /**
     * @param nanoClock the clock the backends' stats are fed on ({@link System#nanoTime()} in production)
     */
    public PeakEwmaStrategy(RandomSource random, LongSupplier nanoClock, long defaultRttNanos) {
        this.random = random;
        this.nanoClock = nanoClock;
        this.defaultRttNanos = defaultRttNanos;
    }

    @Override
    public Selector build(List<Backend> backends) {
        Backend[] array = Candidates.toArray(backends);
        return new PeakEwmaSelector(array, Candidates.effectiveWeights(array), random, nanoClock, defaultRttNanos);
    }

    private static final class PeakEwmaSelector extends TwoChoiceSelector {
        private final LongSupplier nanoClock;
        private final double defaultRttNanos;

        PeakEwmaSelector(Backend[] backends, int[] weights, RandomSource random, LongSupplier nanoClock,
                double defaultRttNanos) {
            super(backends, weights, random);
            this.nanoClock = nanoClock;
            this.defaultRttNanos = defaultRttNanos;
        }

        @Override
        long now() {
            return nanoClock.getAsLong();
        }

        @Override
        double cost(int index, long now) {
            BackendStats stats = backends[index].stats();
            double rtt = stats.latencyEstimateNanos(now);
            if (rtt < 0) {
                rtt = defaultRttNanos;
            }
            return (rtt + 1) * (stats.inFlight() + 1) / weights[index];
        }
    }
}
