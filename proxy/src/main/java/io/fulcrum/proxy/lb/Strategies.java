package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.config.PoolConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The registry of balancing strategies by their config name (SPEC section 4). Adding a strategy is
 * one class and one line here.
 */
public final class Strategies {

    private static final Map<String, Function<PoolConfig, Strategy>> BUILT = new LinkedHashMap<>();
    /** Names SPEC section 4 accepts, whether built yet or not. */
    private static final Set<String> KNOWN = Set.of("round-robin", "weighted-round-robin", "least-connections",
            "power-of-two", "peak-ewma", "consistent-hash", "random", "dynamic");

    static {
        BUILT.put("round-robin", pool -> new RoundRobinStrategy());
    }

    private Strategies() {
    }

    /** True when {@code name} is a strategy name of SPEC section 4. */
    public static boolean isKnown(String name) {
        return KNOWN.contains(name);
    }

    /** True when {@code name} has its own implementation (else it falls back to round-robin). */
    public static boolean isBuilt(String name) {
        return BUILT.containsKey(name);
    }

    /** The strategy for a pool; a known name not built yet falls back to round-robin. */
    public static Strategy create(PoolConfig pool) {
        Function<PoolConfig, Strategy> factory = BUILT.get(pool.strategy());
        if (factory == null) {
            factory = BUILT.get("round-robin");
        }
        return factory.apply(pool);
    }
}
