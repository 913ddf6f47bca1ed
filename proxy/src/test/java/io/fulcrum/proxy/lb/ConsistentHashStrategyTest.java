package io.fulcrum.proxy.lb;

import static io.fulcrum.proxy.lb.TestPools.ALL;
import static io.fulcrum.proxy.lb.TestPools.backend;
import static io.fulcrum.proxy.lb.TestPools.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.backend.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConsistentHashStrategyTest {

    private static final int KEYS = 10_000;

    private static long key(int i) {
        return StableHash.hash("user-" + i);
    }

    private static Backend[] map(Selector selector) {
        Backend[] owners = new Backend[KEYS];
        for (int i = 0; i < KEYS; i++) {
            owners[i] = selector.select(key(i), ALL);
        }
        return owners;
    }

    @Test
    void sameKeySameBackendWhateverThePoolOrder() {
        List<Backend> p = pool(100, 100, 100);
        Backend[] first = map(new ConsistentHashStrategy().build(p));
        List<Backend> reversed = new ArrayList<>(p);
        java.util.Collections.reverse(reversed);
        Backend[] again = map(new ConsistentHashStrategy().build(reversed));
        for (int i = 0; i < KEYS; i++) {
            assertSame(first[i], again[i]);
        }
        // And the keys spread: 160 points per backend leave each within ~±8 % of a third.
        int[] counts = new int[3];
        for (Backend b : first) {
            counts[p.indexOf(b)]++;
        }
        for (int c : counts) {
            assertEquals(KEYS / 3.0, c, KEYS * 0.08);
        }
    }

    @Test
    void addingAFourthBackendMovesAboutAQuarterOfTheKeysAndOnlyToIt() {
        List<Backend> three = pool(100, 100, 100);
        List<Backend> four = new ArrayList<>(three);
        Backend added = backend(4, 100);
        four.add(added);
        Backend[] before = map(new ConsistentHashStrategy().build(three));
        Backend[] after = map(new ConsistentHashStrategy().build(four));
        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            if (before[i] != after[i]) {
                moved++;
                assertSame(added, after[i], "a key moved between two old backends");
            }
        }
        // The new backend's 160 points take the keys that now fall on them: its fair share, 1/4,
        // give or take the ring's spread (ε = 4 % of keys).
        assertTrue(moved <= KEYS / 4 + KEYS * 0.04, "moved " + moved);
        assertTrue(moved >= KEYS / 4 - KEYS * 0.04, "moved " + moved);
    }

    @Test
    void removingABackendMovesOnlyItsKeys() {
        List<Backend> three = pool(100, 100, 100);
        Backend[] before = map(new ConsistentHashStrategy().build(three));
        Backend removed = three.get(1);
        Backend[] after = map(new ConsistentHashStrategy().build(List.of(three.get(0), three.get(2))));
        for (int i = 0; i < KEYS; i++) {
            if (before[i] != removed) {
                assertSame(before[i], after[i], "key " + i + " moved though its backend stayed");
            }
        }
    }

    @Test
    void aHotKeyNeverPushesABackendPastTheBound() {
        List<Backend> p = pool(100, 100, 100);
        Selector selector = new ConsistentHashStrategy().build(p);
        long hot = key(42);
        Backend home = selector.select(hot, ALL);
        int total = 0;
        for (int i = 0; i < 300; i++) {
            Backend b = selector.select(hot, ALL);
            // The bound: a backend takes the request only while its in-flight is below
            // ceil(1.25 × (total + 1) / 3).
            long cap = (long) Math.ceil(ConsistentHashStrategy.LOAD_FACTOR * (total + 1) / 3);
            assertTrue(b.stats().inFlight() < cap, "over the bound at request " + i);
            b.stats().requestStarted();
            total++;
        }
        // All 300 are the same key: without the bound home would hold 300. With it, home holds
        // ceil(1.25 × 300 / 3) = 125 at most; the walk spills the rest in ring order.
        assertTrue(home.stats().inFlight() <= 125, "home holds " + home.stats().inFlight());
        assertTrue(home.stats().inFlight() >= 100, "home holds " + home.stats().inFlight());
        // Once the load is gone, the key is home again.
        for (Backend b : p) {
            while (b.stats().inFlight() > 0) {
                b.stats().requestEnded(0, false);
            }
        }
        assertSame(home, selector.select(hot, ALL));
    }

    @Test
    void theCachedBoundIsReusedForAMillisecondThenSummedAgain() {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        List<Backend> p = pool(100, 100, 100);
        Selector selector = new ConsistentHashStrategy(now::get).build(p);
        long hot = key(42);
        Backend home = selector.select(hot, ALL);
        Backend other = p.get((p.indexOf(home) + 1) % 3);
        // home 5, other 31 in flight: bound ceil(1.25 × 37 / 3) = 16 → home (5 < 16), bound cached.
        TestPools.hold(home, 5);
        TestPools.hold(other, 31);
        assertSame(home, selector.select(hot, ALL));
        // other drains to 0: the true bound is ceil(1.25 × 6 / 3) = 3 and home (5) is over it, but for
        // the next millisecond the cached 16 is used and home keeps the key.
        for (int i = 0; i < 31; i++) {
            other.stats().requestEnded(0, false, now.get());
        }
        now.addAndGet(ConsistentHashStrategy.BOUND_MAX_AGE_NANOS - 1);
        assertSame(home, selector.select(hot, ALL));
        // Once the cache is a millisecond old the counts are summed again and the key spills.
        now.addAndGet(1);
        assertNotSame(home, selector.select(hot, ALL));
    }

    @Test
    void aRefusedOwnerSendsItsKeysToTheNextOnTheRing() {
        List<Backend> p = pool(100, 100, 100);
        Selector selector = new ConsistentHashStrategy().build(p);
        Selector withoutB = new ConsistentHashStrategy().build(List.of(p.get(0), p.get(2)));
        // Refusing b (a retry avoiding it) sends each of its keys where they go once b is removed.
        for (int i = 0; i < 1_000; i++) {
            assertSame(withoutB.select(key(i), ALL), selector.select(key(i), b -> b != p.get(1)));
        }
    }
}
