package io.fulcrum.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.health.ProbeSettings;
import io.fulcrum.health.outlier.OutlierSettings;
import io.fulcrum.health.outlier.OutlierTracker;
import io.fulcrum.health.report.LoadReport;
import io.fulcrum.health.weight.LoadTracker;
import io.fulcrum.health.weight.WeightSettings;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.lb.DynamicStrategy;
import io.fulcrum.proxy.lb.RandomSource;
import io.fulcrum.proxy.lb.RoundRobinStrategy;
import io.fulcrum.proxy.lb.Selector;
import io.fulcrum.proxy.lb.Strategy;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The whole feedback loop on virtual time, deterministic (fixed seeds, no threads, no sockets): three
 * backends of equal configured weight but capacities 1 : 1 : 0.5, each a FIFO server whose reported CPU
 * is the share of the last interval it was busy; the real {@link LoadTracker}s fed and published through
 * {@link TrackedBackend} exactly as the daemon's beat does; the real {@link DynamicStrategy} with a
 * seeded {@link RandomSource} picking, in-flight counts included. The same arrivals through
 * {@link RoundRobinStrategy} give the baseline.
 *
 * <p>Model: Poisson arrivals at 12,500/s, half the pool's capacity (a capacity-1 backend serves 10,000/s,
 * exponential service times of mean 0.1 ms; the small one 5,000/s). Round-robin sends each backend
 * 4,167/s: the small one runs at ρ = 0.83, the big ones at 0.42, and an M/M/1 at 0.83 has a p99 sojourn
 * of ln(100)/(μ − λ) = 5.5 ms against 0.8 ms at 0.42 — a third of all requests meet the slow queue.
 * Headroom weights alone would settle near s = k·c/(c + k·R) (docs/dynamic-weights.md; here
 * 0.373 : 0.373 : 0.2545); the strategy's in-flight comparison moves the small backend further toward its
 * capacity share, because its queue is the longest (measured: about 0.232).
 */
class DynamicWeightLoopSimulationTest {

    private static final long MS = 1_000_000L;
    private static final long INTERVAL = 1_000 * MS;
    private static final double[] CAPACITY = {1, 1, 0.5};
    private static final double[] CAPACITY_SHARE = {0.4, 0.4, 0.2};
    private static final double ARRIVALS_PER_NANO = 12_500 / 1e9;
    private static final double SERVICE_NANOS = 0.1 * MS;
    private static final int INTERVALS = 60;
    /**
     * The small backend's share if weights alone (headroom) decided: s = k·c/(c + k·R) with R = 1.25 and
     * Σ s = 1 gives k ≈ 0.700 and s = 0.373, 0.373, 0.2545.
     */
    private static final double HEADROOM_EQUILIBRIUM_SMALL = 0.2545;
    /** Latencies are compared from here on, after both runs left their start behind. */
    private static final int MEASURE_FROM = 20;

    /** What one run produced: shares of requests per interval, and p99 latency after warm-up. */
    private record Run(double[][] shares, long p99Nanos) {
    }

    @Test
    void sharesConvergeTowardCapacityStayPutAndBeatRoundRobinOnP99() {
        Run dynamic = simulate(true);
        Run roundRobin = simulate(false);
        double[][] s = dynamic.shares;

        // Interval 0 runs on the configured weights (no report yet), yet the in-flight comparison alone
        // already moves the small backend, whose queue is longest, below a third.
        assertTrue(s[0][2] < 0.30, "interval 0: " + Arrays.toString(s[0]));

        // Where it settles: the small backend's mean share over the last 40 intervals lies between its
        // capacity share (0.2) and the equilibrium of headroom weights alone (0.2545): the two terms together
        // get closer to capacity than the weights alone would.
        double small = 0;
        for (int t = INTERVALS - 40; t < INTERVALS; t++) {
            small += s[t][2] / 40;
        }
        assertTrue(small > CAPACITY_SHARE[2] && small < HEADROOM_EQUILIBRIUM_SMALL - 0.01, "settled at " + small);

        // Converged within a bounded number of intervals: from interval 5 on, the small backend is within
        // 0.015 of where it settles (σ of sampling noise is 0.004 on 12,500 picks) ...
        double min = 1;
        double max = 0;
        for (int t = 5; t < INTERVALS; t++) {
            assertEquals(small, s[t][2], 0.015, "interval " + t + ": " + Arrays.toString(s[t]));
            min = Math.min(min, s[t][2]);
            max = Math.max(max, s[t][2]);
            // ... and each capacity-1 backend within 0.04 of its capacity share. They take turns by up to
            // ±0.017 around their mean: at equal in-flight counts DynamicStrategy prefers the higher weight
            // (fewer in flight per unit of weight), so a lead of one unit of weight (52 vs 51) wins every
            // tie, the leader's CPU rises, its weight falls one unit below, and the tie goes the other way.
            // Bounded (it cannot win more than every tie), and it does not grow; see the report on issue 4.
            assertEquals(CAPACITY_SHARE[0], s[t][0], 0.04, "interval " + t + ": " + Arrays.toString(s[t]));
            assertEquals(CAPACITY_SHARE[1], s[t][1], 0.04, "interval " + t + ": " + Arrays.toString(s[t]));
        }
        // No oscillation of the pool-level split: the small backend's share moves < 0.025 peak to peak.
        assertTrue(max - min < 0.025, "amplitude " + (max - min));

        // Round-robin keeps a third on the small backend and pays for it in the tail: measured about
        // 0.8 ms against 2.7 ms here.
        assertEquals(1 / 3.0, roundRobin.shares[INTERVALS - 1][2], 0.02);
        assertTrue(dynamic.p99Nanos * 2 < roundRobin.p99Nanos,
                "p99 dynamic " + dynamic.p99Nanos / 1e6 + " ms vs round-robin " + roundRobin.p99Nanos / 1e6 + " ms");
    }

    private static Run simulate(boolean dynamic) {
        AtomicLong now = new AtomicLong();
        Backend[] backends = new Backend[3];
        for (int i = 0; i < 3; i++) {
            backends[i] = new Backend(new HostPort("10.0.0." + (i + 1), 8080),
                    new InetSocketAddress("127.0.0.1", 8080 + i), 100, Backend.Source.CONFIG, HealthStatus.UP);
        }
        BackendPool pool = new BackendPool(io.fulcrum.proxy.testing.TestConfigs.pool("sim", "dynamic",
                List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"), 0), List.of(backends));
        TrackedBackend[] tracked = new TrackedBackend[3];
        ProbeSettings probe = new ProbeSettings(ProbeSettings.DEFAULTS.type(), "/healthz", Duration.ofNanos(INTERVAL),
                Duration.ofMillis(500), 2, 3, 0);
        for (int i = 0; i < 3; i++) {
            tracked[i] = new TrackedBackend(pool, backends[i], probe, HealthStatus.UP,
                    new LoadTracker(WeightSettings.of(Duration.ofNanos(INTERVAL), Duration.ZERO), now::get),
                    new OutlierTracker(OutlierSettings.DEFAULTS, now::get));
        }
        Strategy strategy = dynamic ? new DynamicStrategy(RandomSource.seeded(42)) : new RoundRobinStrategy();
        Selector selector = strategy.build(List.of(backends));

        Random random = new Random(7);
        @SuppressWarnings("unchecked")
        ArrayDeque<long[]>[] queues = new ArrayDeque[3]; // {arrival, completion} in completion order (FIFO)
        long[] lastEnd = new long[3];
        long[] busy = new long[3];
        int[] picks = new int[3];
        double[][] shares = new double[INTERVALS][3];
        long[] latencies = new long[(int) (INTERVALS * INTERVAL * ARRIVALS_PER_NANO * 1.2)];
        int measured = 0;
        for (int i = 0; i < 3; i++) {
            queues[i] = new ArrayDeque<>();
        }
        long t = 0;
        int interval = 0;
        while (interval < INTERVALS) {
            t += (long) (-Math.log(1 - random.nextDouble()) / ARRIVALS_PER_NANO);
            while (t >= (interval + 1) * INTERVAL && interval < INTERVALS) {
                long end = (interval + 1) * INTERVAL;
                complete(queues, backends, end);
                now.set(end);
                int total = picks[0] + picks[1] + picks[2];
                for (int i = 0; i < 3; i++) {
                    shares[interval][i] = picks[i] / (double) total;
                    double cpu = Math.min(1, busy[i] / (double) INTERVAL);
                    tracked[i].onLoadReport(tracked[i].targetId,
                            new LoadReport(cpu, Double.NaN, Double.NaN, Double.NaN, Map.of(), end, Instant.EPOCH));
                    tracked[i].tick(); // the daemon's beat: observe in-flight and counters, publish the weight
                    busy[i] = 0;
                    picks[i] = 0;
                }
                // The pool rebuilt its own selector (ThreadLocalRandom); the simulation rebuilds a seeded one.
                selector = strategy.build(List.of(backends));
                interval++;
            }
            if (interval >= INTERVALS) {
                break;
            }
            complete(queues, backends, t);
            Backend b = selector.select(0, x -> true);
            int i = b == backends[0] ? 0 : b == backends[1] ? 1 : 2;
            picks[i]++;
            b.stats().requestStarted();
            long service = (long) (-Math.log(1 - random.nextDouble()) * SERVICE_NANOS / CAPACITY[i]);
            long start = Math.max(t, lastEnd[i]);
            lastEnd[i] = start + service;
            busy[i] += service;
            queues[i].addLast(new long[] {t, lastEnd[i]});
            if (interval >= MEASURE_FROM) {
                latencies[measured++] = lastEnd[i] - t;
            }
        }
        long[] sorted = Arrays.copyOf(latencies, measured);
        Arrays.sort(sorted);
        return new Run(shares, sorted[(int) (measured * 0.99)]);
    }

    /** Ends every request whose service finished by {@code t}, so in-flight counts are right at {@code t}. */
    private static void complete(ArrayDeque<long[]>[] queues, Backend[] backends, long t) {
        for (int i = 0; i < queues.length; i++) {
            while (!queues[i].isEmpty() && queues[i].peekFirst()[1] <= t) {
                long[] r = queues[i].pollFirst();
                backends[i].stats().requestEnded(r[1] - r[0], false, r[1]);
            }
        }
    }
}
