package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * {@code consistent-hash}: a hash ring with virtual nodes (ketama) and bounded loads (Mirrokni et al.,
 * "Consistent Hashing with Bounded Loads", as in HAProxy's {@code hash-balance-factor} and Envoy's
 * {@code hash_balance_factor}).
 *
 * <p>Ring: each backend owns {@link #POINTS_PER_WEIGHT_100} points per 100 of its configured weight
 * (at least {@link #MIN_POINTS}), at {@code hash(id, i)}. A request's key (see {@link HashKeys}) goes to the owner of the first point
 * at or after it. The points depend only on a backend's own id and weight, so adding a 4th backend to 3
 * moves only the keys that now fall on its points (~1/4), and removing one moves only its own keys.
 * The configured weight is used rather than the effective one: effective weights move with load
 * reports, and every move would remap keys; load is handled by the bound below instead.
 *
 * <p>Bounded load: a backend may take the request only while its in-flight count is below
 * ceil({@link #LOAD_FACTOR} × (total in-flight + 1) / n); otherwise the walk goes on clockwise to the
 * next point's owner. Example: 3 backends, 11 in flight (a=6, b=3, c=2), a hot key on a:
 * cap = ceil(1.25 × 12 / 3) = 5, a holds 6 → walk to the next owner, say c (2 < 5) → c. A key keeps its
 * backend as long as that backend is not overloaded, and spills in a fixed order when it is.
 *
 * <p>Select path: one binary search over the ring and one in-flight read per candidate. An idle
 * candidate (in-flight 0) is always under the bound. For a busy one the bound needs the pool's total
 * in-flight, an O(n) sum; the selector caches the last bound it computed (one volatile long, written by
 * whichever event loop computed it) and recomputes only when a candidate fails the cached bound or the
 * cache is older than {@link #BOUND_MAX_AGE_NANOS}. While load rises a cached bound is lower than the
 * true one, so it only ever sends a request on too early, never too late; when load falls, a backend may
 * exceed the true bound by what the pool drained in the last millisecond.
 */
public final class ConsistentHashStrategy implements Strategy {

    /** Points per 100 of weight: 160 is ketama's (40 × 4), ~±8 % spread between equal backends. */
    public static final int POINTS_PER_WEIGHT_100 = 160;
    /**
     * The fewest points a backend gets, so that small weights (1, 2, 3 as NGINX configs use) still
     * spread keys: weights below 20 all count as 20 here. A ring weighted 1:2:3 is thus even.
     */
    public static final int MIN_POINTS = 32;
    /** Envoy's default hash_balance_factor is 1.25 (125 %); so is ours. */
    public static final double LOAD_FACTOR = 1.25;
    /** How long a computed bound is reused before the pool's in-flight counts are summed again. */
    public static final long BOUND_MAX_AGE_NANOS = 1_000_000;

    private final LongSupplier nanoClock;

    /** A ring on {@link System#nanoTime()}. */
    public ConsistentHashStrategy() {
        this(System::nanoTime);
    }

    /** @param nanoClock ages the cached load bound; tests pass a fake one */
    public ConsistentHashStrategy(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    @Override
    public Selector build(List<Backend> backends) {
        Backend[] array = Candidates.toArray(backends);
        List<long[]> points = new ArrayList<>();
        for (int owner = 0; owner < array.length; owner++) {
            Backend b = array[owner];
            long idHash = StableHash.addChars(StableHash.FNV_OFFSET, b.id(), 0, b.id().length());
            int count = Math.max(MIN_POINTS, (int) Math.round(POINTS_PER_WEIGHT_100 * b.weight() / 100.0));
            for (int i = 0; i < count; i++) {
                points.add(new long[] {pointHash(idHash, i), owner});
            }
        }
        // Ties between equal points are broken by id, not by position in the pool, so the ring is the
        // same whatever order the backends are listed in.
        points.sort(Comparator.<long[]>comparingLong(p -> p[0]).thenComparing(p -> array[(int) p[1]].id()));
        long[] hashes = new long[points.size()];
        int[] owners = new int[points.size()];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = points.get(i)[0];
            owners[i] = (int) points.get(i)[1];
        }
        return new RingSelector(array, hashes, owners, nanoClock);
    }

    static long pointHash(long idHash, int replica) {
        return StableHash.mix(StableHash.addChar(StableHash.addChar(idHash, '#'), (char) replica)
                ^ ((long) replica << 32));
    }

    private static final class RingSelector implements Selector {
        private final Backend[] backends;
        private final long[] hashes;
        private final int[] owners;
        private final LongSupplier nanoClock;
        /**
         * The last bound computed and when; racy by design (last writer wins, and both writers computed
         * a fresh bound). Starts at 0, which every busy candidate fails, so the first real use sums.
         */
        private volatile long cachedCap;
        private volatile long cachedAt;

        RingSelector(Backend[] backends, long[] hashes, int[] owners, LongSupplier nanoClock) {
            this.backends = backends;
            this.hashes = hashes;
            this.owners = owners;
            this.nanoClock = nanoClock;
        }

        @Override
        public Backend select(long hashKey, Predicate<Backend> accept) {
            int pos = ceilingPoint(StableHash.mix(hashKey));
            int n = backends.length;
            boolean exact = false; // whether cap below was summed during this select
            long cap = -1; // read on first need
            Backend fallback = null;
            // 8n points see all but ~e^-8 of the owners; past that, scan the pool once.
            int walk = Math.min(hashes.length, 8 * n + 8);
            for (int k = 0; k < walk; k++) {
                Backend b = backends[owners[pos]];
                if (accept.test(b)) {
                    int load = b.stats().inFlight();
                    if (load == 0) {
                        return b;
                    }
                    if (cap < 0) {
                        cap = freshCachedCapacity();
                        if (cap < 0) {
                            cap = capacity();
                            exact = true;
                        }
                    }
                    if (load >= cap && !exact) {
                        cap = capacity();
                        exact = true;
                    }
                    if (load < cap) {
                        return b;
                    }
                    if (fallback == null) {
                        fallback = b;
                    }
                }
                if (++pos == hashes.length) {
                    pos = 0;
                }
            }
            int start = owners[pos];
            for (int k = 0; k < n; k++) {
                Backend b = backends[(start + k) % n];
                if (accept.test(b)) {
                    if (!exact) {
                        cap = capacity();
                        exact = true;
                    }
                    if (b.stats().inFlight() < cap) {
                        return b;
                    }
                    if (fallback == null) {
                        fallback = b;
                    }
                }
            }
            // Every accepted backend is at the bound: overloading one beats refusing the request.
            return fallback;
        }

        /** The cached bound if younger than BOUND_MAX_AGE_NANOS, else -1. */
        private long freshCachedCapacity() {
            long cap = cachedCap;
            return nanoClock.getAsLong() - cachedAt < BOUND_MAX_AGE_NANOS ? cap : -1;
        }

        /**
         * ceil(LOAD_FACTOR × (total in-flight + 1) / n): the in-flight count a backend must stay below.
         * Sums every backend's counter (O(n)) and caches the result.
         */
        private long capacity() {
            long total = 1;
            for (Backend b : backends) {
                total += b.stats().inFlight();
            }
            long cap = (long) Math.ceil(LOAD_FACTOR * total / backends.length);
            cachedCap = cap;
            cachedAt = nanoClock.getAsLong();
            return cap;
        }

        /** Index of the first point ≥ h, wrapping to 0 past the last one. */
        private int ceilingPoint(long h) {
            int lo = 0;
            int hi = hashes.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (hashes[mid] < h) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo == hashes.length ? 0 : lo;
        }
    }
}
