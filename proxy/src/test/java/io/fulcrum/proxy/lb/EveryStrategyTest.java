package io.fulcrum.proxy.lb;

import static io.fulcrum.proxy.lb.TestPools.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.config.PoolConfig;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every registered strategy owes the pool: the accept predicate, and null only when all refuse. */
class EveryStrategyTest {

    static Stream<String> names() {
        return Stream.of("round-robin", "weighted-round-robin", "least-connections", "power-of-two", "peak-ewma",
                "consistent-hash", "random", "dynamic");
    }

    private static Selector build(String name, List<Backend> backends) {
        PoolConfig config = new PoolConfig("p", name, Optional.empty(), List.of(), null, null, null, null, null,
                0, 0, null, 0, 0);
        assertTrue(Strategies.isKnown(name) && Strategies.names().contains(name), name);
        return Strategies.create(config, RandomSource.seeded(17)).build(backends);
    }

    @ParameterizedTest
    @MethodSource("names")
    void neverReturnsARefusedBackend(String name) {
        List<Backend> p = pool(5, 1, 1, 2, 3);
        Selector selector = build(name, p);
        Set<Backend> refused = Set.of(p.get(0), p.get(3));
        Predicate<Backend> accept = b -> !refused.contains(b);
        for (int i = 0; i < 2_000; i++) {
            Backend b = selector.select(StableHash.hash("k" + i), accept);
            assertNotNull(b, name);
            assertTrue(accept.test(b), name + " returned refused " + b);
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void findsTheOnlyAcceptedBackend(String name) {
        List<Backend> p = pool(5, 1, 1, 2, 3);
        Selector selector = build(name, p);
        for (Backend only : p) {
            for (int i = 0; i < 20; i++) {
                assertSame(only, selector.select(i * 7919L, b -> b == only), name);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void returnsNullWhenEveryBackendIsRefused(String name) {
        List<Backend> p = pool(5, 1, 1, 2, 3);
        Selector selector = build(name, p);
        for (int i = 0; i < 20; i++) {
            assertNull(selector.select(i, b -> false), name);
        }
        Selector single = build(name, pool(1));
        assertNull(single.select(0, b -> false), name);
        assertSame(single.select(0, b -> true), single.select(1, b -> true), name);
    }

    @ParameterizedTest
    @MethodSource("names")
    void aRetryAvoidingOneBackendStillReachesAllOthers(String name) {
        List<Backend> p = pool(1, 1, 1, 1);
        Selector selector = build(name, p);
        int[] counts = new int[4];
        for (int i = 0; i < 4_000; i++) {
            Backend b = selector.select(StableHash.hash("k" + i), x -> x != p.get(2));
            assertNotSame(p.get(2), b, name);
            counts[p.indexOf(b)]++;
        }
        // Every strategy spreads a retry's choices (consistent-hash by key, the others by turn, draw or load).
        assertEquals(0, counts[2]);
        assertTrue(counts[0] > 400 && counts[1] > 400 && counts[3] > 400, name + " " + java.util.Arrays.toString(counts));
    }
}
