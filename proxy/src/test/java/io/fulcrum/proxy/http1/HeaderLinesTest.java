package io.fulcrum.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HeaderLinesTest {

    /** Lines 0-63 keep their flags in fields, later ones in arrays: both, and the border, hold every line's own. */
    @Test
    void everyLineKeepsItsOwnOffsetsKindAndFlagsAcrossTheSixtyFourLineBorder() {
        Random random = new Random(7);
        int n = 200;
        boolean[] canonical = new boolean[n];
        boolean[] dropped = new boolean[n];
        HeaderLines lines = new HeaderLines();
        for (int i = 0; i < n; i++) {
            canonical[i] = random.nextBoolean();
            dropped[i] = random.nextInt(3) == 0;
            assertEquals(i, lines.add(10 * i, 10 * i + 3, 10 * i + 5, 10 * i + 8, canonical[i]));
            lines.kind(i, (byte) (i % 17));
            if (dropped[i]) {
                lines.drop(i);
            }
        }
        assertEquals(n, lines.count());
        for (int i = 0; i < n; i++) {
            assertEquals(canonical[i], lines.isCanonical(i), "canonical " + i);
            assertEquals(dropped[i], lines.isDropped(i), "dropped " + i);
            assertEquals(10 * i, lines.nameStart(i));
            assertEquals(10 * i + 3, lines.nameEnd(i));
            assertEquals(10 * i + 5, lines.valueStart(i));
            assertEquals(10 * i + 8, lines.valueEnd(i));
            assertEquals(i % 17, lines.kind(i));
        }
    }
}
