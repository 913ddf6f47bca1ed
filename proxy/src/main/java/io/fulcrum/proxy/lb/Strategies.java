package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.config.PoolConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The registry of balancing strategies by their config name (SPEC section 4). Adding a strategy is
 * one class and one line here.
 */
public final class Strategies {

    /** Makes a strategy for a pool, with the random source randomised strategies draw from. */
    @FunctionalInterface
    private interface Factory {
        Strategy create(PoolConfig pool, RandomSource random);
    }

    private static final Map<String, Factory> BUILT = new LinkedHashMap<>();

    static {
        BUILT.put("round-robin", (pool, random) -> new RoundRobinStrategy());
        BUILT.put("weighted-round-robin", (pool, random) -> new WeightedRoundRobinStrategy());
        BUILT.put("least-connections", (pool, random) -> new LeastConnectionsStrategy());
        BUILT.put("power-of-two", (pool, random) -> new PowerOfTwoStrategy(random));
        BUILT.put("peak-ewma", (pool, random) ->
                new PeakEwmaStrategy(random, System::nanoTime, PeakEwmaStrategy.DEFAULT_RTT_NANOS));
        BUILT.put("consistent-hash", (pool, random) -> new ConsistentHashStrategy());
        BUILT.put("random", (pool, random) -> new RandomStrategy(random));
        BUILT.put("dynamic", (pool, random) -> new DynamicStrategy(random));
    }

    private Strategies() {
    }

    /** True when {@code name} is a strategy name of SPEC section 4. */
    public static boolean isKnown(String name) {
        return BUILT.containsKey(name);
    }

    /** Every strategy name, in registration order (for messages). */
    public static Set<String> names() {
        return java.util.Collections.unmodifiableSet(BUILT.keySet());
    }

    /** The strategy for a pool, drawing from ThreadLocalRandom; an unknown name (config validation rejects them) falls back to round-robin. */
    public static Strategy create(PoolConfig pool) {
        return create(pool, RandomSource.threadLocal());
    }

    /** As {@link #create(PoolConfig)} with an injected random source (tests pass a seeded one). */
    public static Strategy create(PoolConfig pool, RandomSource random) {
        Factory factory = BUILT.get(pool.strategy());
        if (factory == null) {
            factory = BUILT.get("round-robin");
        }
        return factory.create(pool, random);
    }
}
