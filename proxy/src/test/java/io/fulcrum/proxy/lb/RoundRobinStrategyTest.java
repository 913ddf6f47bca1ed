package io.fulcrum.proxy.lb;

import static io.fulcrum.proxy.lb.TestPools.letters;
import static io.fulcrum.proxy.lb.TestPools.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinStrategyTest {

    @Test
    void takesBackendsInTurnIgnoringWeights() {
        List<Backend> pool = pool(5, 1, 1);
        assertEquals("abcabcabc", letters(pool, new RoundRobinStrategy().build(pool), 9));
    }

    @Test
    void aRefusedBackendsTurnGoesToItsSuccessor() {
        List<Backend> pool = pool(1, 1, 1);
        Selector selector = new RoundRobinStrategy().build(pool);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            sb.append((char) ('a' + pool.indexOf(selector.select(0, b -> b != pool.get(1)))));
        }
        // tickets 0 1 2 0 1 2 → a, (b refused) c, c, a, c, c
        assertEquals("accacc", sb.toString());
    }
}
