package io.fulcrum.proxy.lb;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where randomised strategies draw their numbers. Production uses {@link #threadLocal()} (no shared
 * state, no contention between event loops); tests inject {@link #seeded(long)} so a run is repeatable.
 *
 * <p>Threading: {@link #threadLocal()} is safe from any thread. {@link #seeded(long)} is backed by one
 * {@link Random} (thread-safe, but contended): meant for single-threaded tests.
 */
@FunctionalInterface
public interface RandomSource {

    /** A uniformly distributed int in {@code [0, bound)}; {@code bound > 0}. */
    int nextInt(int bound);

    /** ThreadLocalRandom, looked up on every call so the source may be shared by every event loop. */
    static RandomSource threadLocal() {
        return bound -> ThreadLocalRandom.current().nextInt(bound);
    }

    /** A repeatable sequence for tests. */
    static RandomSource seeded(long seed) {
        Random random = new Random(seed);
        return random::nextInt;
    }
}
