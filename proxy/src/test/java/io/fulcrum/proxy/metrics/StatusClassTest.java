package io.fulcrum.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatusClassTest {

    @Test
    void eachStatusCountsInItsClassAndOddOnesInTheNearest() {
        assertEquals("1xx", StatusClass.LABELS[StatusClass.index(101)]);
        assertEquals("2xx", StatusClass.LABELS[StatusClass.index(200)]);
        assertEquals("2xx", StatusClass.LABELS[StatusClass.index(299)]);
        assertEquals("3xx", StatusClass.LABELS[StatusClass.index(304)]);
        assertEquals("4xx", StatusClass.LABELS[StatusClass.index(431)]);
        assertEquals("5xx", StatusClass.LABELS[StatusClass.index(503)]);
        assertEquals("1xx", StatusClass.LABELS[StatusClass.index(42)]);
        assertEquals("5xx", StatusClass.LABELS[StatusClass.index(999)]);
    }
}
