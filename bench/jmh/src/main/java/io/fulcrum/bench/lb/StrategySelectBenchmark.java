package io.fulcrum.bench.lb;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.config.PoolConfig;
import io.fulcrum.proxy.lb.Selector;
import io.fulcrum.proxy.lb.Strategies;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@link Selector#select} per operation, per strategy and pool size, the way the request path
 * calls it: through the pool's non-capturing {@code Backend::isSelectable} predicate, with a new hash
 * key each time. The pool is a realistic one, not an idle one: weights skewed 50..150 and a few
 * requests in flight on every backend (0..7, fixed seed), latencies fed for peak-ewma.
 *
 * <p>{@code select} runs on one thread; {@code selectContended} on two at once, so shared counters
 * (round-robin tickets) and the in-flight cache lines are fought over as between two event loops.
 * Fixed fork and heap so runs compare; see bench/README.md for the command and numbers.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class StrategySelectBenchmark {

    @Param({"round-robin", "weighted-round-robin", "least-connections", "power-of-two", "peak-ewma",
            "consistent-hash", "random", "dynamic"})
    public String strategy;

    @Param({"3", "30", "300"})
    public int backends;

    private static final Predicate<Backend> SELECTABLE = Backend::isSelectable;

    private Selector selector;

    /** Per-thread key sequence, so two threads do not share a counter the strategies do not have. */
    @State(Scope.Thread)
    public static class Keys {
        private long next = 0x9e3779b97f4a7c15L;

        long next() {
            next += 0x9e3779b97f4a7c15L;
            return next;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        List<Backend> pool = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            HostPort address = new HostPort("10.0." + (i / 250) + "." + (i % 250 + 1), 8080);
            Backend b = new Backend(address, InetSocketAddress.createUnresolved(address.host(), address.port()),
                    50 + random.nextInt(101), Backend.Source.CONFIG, HealthStatus.UP);
            int latencies = 1 + random.nextInt(3);
            for (int k = 0; k < latencies; k++) {
                b.stats().requestStarted();
                b.stats().requestEnded(TimeUnit.MICROSECONDS.toNanos(500 + random.nextInt(20_000)), false);
            }
            int inFlight = random.nextInt(8);
            for (int k = 0; k < inFlight; k++) {
                b.stats().requestStarted();
            }
            pool.add(b);
        }
        PoolConfig config = new PoolConfig("bench", strategy, Optional.empty(), List.of(), null, null, null, null,
                null, 0, 0, null, 0, 0);
        selector = Strategies.create(config).build(List.copyOf(pool));
    }

    @Benchmark
    public Backend select(Keys keys) {
        return selector.select(keys.next(), SELECTABLE);
    }

    @Benchmark
    @Threads(2)
    public Backend selectContended(Keys keys) {
        return selector.select(keys.next(), SELECTABLE);
    }
}
