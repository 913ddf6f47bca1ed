package io.fulcrum.admin.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WaitDurationTest {

    @Test
    void readsHoconDurations() {
        assertEquals(Duration.ofMillis(500), WaitDuration.parse("500ms"));
        assertEquals(Duration.ofSeconds(30), WaitDuration.parse("30s"));
        assertEquals(Duration.ofMinutes(2), WaitDuration.parse("2m"));
        assertEquals(Duration.ofHours(1), WaitDuration.parse("1h"));
        assertEquals(Duration.ofDays(1), WaitDuration.parse("1d"));
        assertEquals(Duration.ofSeconds(10), WaitDuration.parse("10 seconds"));
        assertEquals(Duration.ofMillis(250), WaitDuration.parse("250"), "a bare number is milliseconds, as in HOCON");
        assertEquals(Duration.ZERO, WaitDuration.parse("0s"));
    }

    @Test
    void refusesWhatIsNotADuration() {
        for (String bad : new String[] {"", "s", "-1s", "1.5s", "30y", "soon", "9999999999999s"}) {
            assertThrows(IllegalArgumentException.class, () -> WaitDuration.parse(bad), bad);
        }
    }
}
