package io.fulcrum.proxy.lb;

import static io.fulcrum.proxy.lb.TestPools.ALL;
import static io.fulcrum.proxy.lb.TestPools.counts;
import static io.fulcrum.proxy.lb.TestPools.hold;
import static io.fulcrum.proxy.lb.TestPools.letters;
import static io.fulcrum.proxy.lb.TestPools.pool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastConnectionsStrategyTest {

    @Test
    void equalIdleBackendsShareRoundRobin() {
        List<Backend> p = pool(1, 1, 1);
        // All score (0+1)/1: three ties, taken in turn by ticket mod 3.
        assertEquals("abcabc", letters(p, new LeastConnectionsStrategy().build(p), 6));
    }

    @Test
    void steersAwayFromALoadedBackend() {
        List<Backend> p = pool(1, 1, 1);
        hold(p.get(0), 3);
        int[] counts = counts(p, new LeastConnectionsStrategy().build(p), 300);
        // a scores 4 against 1 for b and c, which are never loaded here (picks are not started):
        // two ties, taken in turn.
        assertArrayEquals(new int[] {0, 150, 150}, counts);
    }

    @Test
    void keepsInFlightProportionalToWeight() {
        // Requests that never finish, placed one by one with weights 1,2,3: each goes where
        // (in-flight + 1) / weight is lowest, so after 600 they are 100/200/300 within one.
        List<Backend> p = pool(1, 2, 3);
        Selector selector = new LeastConnectionsStrategy().build(p);
        for (int i = 0; i < 600; i++) {
            selector.select(0, ALL).stats().requestStarted();
        }
        assertEquals(100, p.get(0).stats().inFlight(), 1);
        assertEquals(200, p.get(1).stats().inFlight(), 1);
        assertEquals(300, p.get(2).stats().inFlight(), 1);
    }

    @Test
    void heavierWinsWhileIdle() {
        // Idle, weights 3 and 1: scores 1/3 and 1 → the heavier; HAProxy's and Envoy's behaviour.
        List<Backend> p = pool(3, 1);
        assertEquals("aaaa", letters(p, new LeastConnectionsStrategy().build(p), 4));
    }
}
