package io.fulcrum.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        HeaderLines lines = HeaderLines.scratch();
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
        assertEveryLine(lines, n, canonical, dropped, 0, true);
        assertEveryLine(lines.copy(true), n, canonical, dropped, 0, true);
    }

    /**
     * A parser reuses one scratch head after head: a head's copy must not change when the scratch goes on
     * with the next head, and nothing of a long head (flags past line 64 included) may show in a shorter
     * one after it.
     */
    @Test
    void aCopyOutlivesTheScratchAndAResetScratchForgetsTheLastHead() {
        Random random = new Random(11);
        HeaderLines scratch = HeaderLines.scratch();
        int longHead = 150;
        boolean[] canonical = new boolean[longHead];
        boolean[] dropped = new boolean[longHead];
        fill(scratch, random, longHead, canonical, dropped, 0);
        HeaderLines first = scratch.copy(true);

        scratch.reset();
        int shortHead = 100;
        boolean[] canonical2 = new boolean[shortHead];
        boolean[] dropped2 = new boolean[shortHead];
        fill(scratch, random, shortHead, canonical2, dropped2, 5);
        HeaderLines second = scratch.copy(false);

        scratch.reset();
        fill(scratch, random, 3, new boolean[3], new boolean[3], 9);

        assertEveryLine(first, longHead, canonical, dropped, 0, true);
        assertEveryLine(second, shortHead, canonical2, dropped2, 5, false);
        assertEquals(0, second.kind(0), "a copy without kinds reads kind 0");
        assertTrue(scratch.oversized(), "a scratch grown to 150 lines is not kept");
        assertFalse(HeaderLines.scratch().oversized());
        assertSame(HeaderLines.NONE, HeaderLines.scratch().copy(true), "no lines: the shared empty set");
    }

    private static void fill(HeaderLines lines, Random random, int n, boolean[] canonical, boolean[] dropped, int shift) {
        for (int i = 0; i < n; i++) {
            canonical[i] = random.nextBoolean();
            dropped[i] = random.nextInt(3) == 0;
            assertEquals(i, lines.add(10 * i + shift, 10 * i + 3 + shift, 10 * i + 5 + shift, 10 * i + 8 + shift,
                    canonical[i]));
            lines.kind(i, (byte) (i % 17));
            if (dropped[i]) {
                lines.drop(i);
            }
        }
    }

    private static void assertEveryLine(HeaderLines lines, int n, boolean[] canonical, boolean[] dropped, int shift,
                                        boolean kinds) {
        assertEquals(n, lines.count());
        for (int i = 0; i < n; i++) {
            assertEquals(canonical[i], lines.isCanonical(i), "canonical " + i);
            assertEquals(dropped[i], lines.isDropped(i), "dropped " + i);
            assertEquals(10 * i + shift, lines.nameStart(i));
            assertEquals(10 * i + 3 + shift, lines.nameEnd(i));
            assertEquals(10 * i + 5 + shift, lines.valueStart(i));
            assertEquals(10 * i + 8 + shift, lines.valueEnd(i));
            assertEquals(kinds ? i % 17 : 0, lines.kind(i));
        }
    }
}
