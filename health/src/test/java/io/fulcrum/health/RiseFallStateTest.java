package io.fulcrum.health;

import static io.fulcrum.health.HealthStatus.DOWN;
import static io.fulcrum.health.HealthStatus.UNKNOWN;
import static io.fulcrum.health.HealthStatus.UP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RiseFallStateTest {

    private static final int RISE = 2;
    private static final int FALL = 3;

    private static HealthStatus feed(RiseFallState s, long now, boolean... results) {
        HealthStatus last = s.status();
        for (boolean r : results) {
            last = s.record(r, RISE, FALL, now);
        }
        return last;
    }

    @Test
    void upFallsOnlyAfterFallConsecutiveFailures() {
        RiseFallState s = new RiseFallState(UP);
        assertEquals(UP, feed(s, 0, false, false));
        assertEquals(UP, feed(s, 0, true), "a pass resets the failure run");
        assertEquals(UP, feed(s, 0, false, false));
        assertEquals(DOWN, feed(s, 0, false));
    }

    @Test
    void downRisesOnlyAfterRiseConsecutivePasses() {
        RiseFallState s = new RiseFallState(DOWN);
        assertEquals(DOWN, feed(s, 0, true, false, true));
        assertEquals(UP, feed(s, 0, true));
    }

    @Test
    void unknownNeedsRisePassesOrFallFailures() {
        RiseFallState a = new RiseFallState(UNKNOWN);
        assertEquals(UNKNOWN, feed(a, 0, true));
        assertEquals(UP, feed(a, 0, true));
        RiseFallState b = new RiseFallState(UNKNOWN);
        assertEquals(UNKNOWN, feed(b, 0, false, false));
        assertEquals(DOWN, feed(b, 0, false));
    }

    @Test
    void thresholdsMayChangeBetweenResultsWithoutLosingTheRun() {
        RiseFallState s = new RiseFallState(DOWN);
        s.record(true, 3, FALL, 0);
        s.record(true, 3, FALL, 0);
        assertEquals(UP, s.record(true, 1, FALL, 0), "a reload lowered rise to 1; the run of 3 counts");
    }

    @Test
    void ejectionForcesDownAndOnlyPassesAfterItsEndCount() {
        RiseFallState s = new RiseFallState(UP);
        s.eject(100, 50); // ejected until t = 150
        assertEquals(DOWN, s.status());
        assertTrue(s.isEjected(149));
        assertEquals(DOWN, feed(s, 120, true, true, true), "passes during the ejection do not count");
        assertEquals(DOWN, feed(s, 150, true), "first pass after the end: 1 of rise 2");
        assertFalse(s.isEjected(150));
        assertEquals(UP, feed(s, 160, true));
    }

    @Test
    void restoreEndsAnEjection() {
        RiseFallState s = new RiseFallState(UP);
        s.eject(0, 10);
        s.restore(UP);
        assertEquals(UP, s.status());
        assertFalse(s.isEjected(5));
    }
}
