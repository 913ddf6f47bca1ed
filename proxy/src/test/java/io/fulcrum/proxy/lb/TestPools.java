package io.fulcrum.proxy.lb;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.config.HostPort;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Backends for strategy tests: up, active, unresolved addresses (no DNS), ids 10.0.0.N:80. */
final class TestPools {

    static final Predicate<Backend> ALL = b -> true;

    private TestPools() {
    }

    static Backend backend(int n, int weight) {
        HostPort address = new HostPort("10.0.0." + n, 80);
        return new Backend(address, InetSocketAddress.createUnresolved(address.host(), 80), weight,
                Backend.Source.CONFIG, HealthStatus.UP);
    }

    /** One backend per weight, numbered from 1: weights 5,1,1 → 10.0.0.1 (5), 10.0.0.2, 10.0.0.3. */
    static List<Backend> pool(int... weights) {
        List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            backends.add(backend(i + 1, weights[i]));
        }
        return List.copyOf(backends);
    }

    /** Letters for a pick sequence: the pool's first backend is a, the second b... */
    static String letters(List<Backend> pool, Selector selector, int picks) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            sb.append((char) ('a' + pool.indexOf(selector.select(0, ALL))));
        }
        return sb.toString();
    }

    /** Picks per backend, in pool order. */
    static int[] counts(List<Backend> pool, Selector selector, int picks) {
        int[] counts = new int[pool.size()];
        for (int i = 0; i < picks; i++) {
            counts[pool.indexOf(selector.select(i, ALL))]++;
        }
        return counts;
    }

    /** Marks {@code n} requests in flight on {@code b}, as the forwarding code does. */
    static void hold(Backend b, int n) {
        for (int i = 0; i < n; i++) {
            b.stats().requestStarted();
        }
    }
}
