package io.fulcrum.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Ascii#firstControl}, eight bytes at a time, against the plain byte-at-a-time search. */
class AsciiTest {

    private static int naive(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if ((a[i] >= 0 && a[i] < 0x20) || a[i] == 0x7f) {
                return i;
            }
        }
        return to;
    }

    @Test
    void everyByteValueAtEveryPositionOfEveryAlignment() {
        Random random = new Random(7);
        for (int length = 0; length <= 26; length++) {
            for (int from = 0; from <= Math.min(length, 9); from++) {
                for (int at = from; at < length; at++) {
                    for (int value = 0; value < 256; value++) {
                        byte[] a = new byte[length + 3];
                        for (int i = 0; i < a.length; i++) {
                            // Background bytes that are never flagged, obs-text (0x80 and above) among them.
                            int b = 0x20 + random.nextInt(0xe0);
                            a[i] = (byte) (b == 0x7f ? 0x7e : b);
                        }
                        a[at] = (byte) value;
                        assertEquals(naive(a, from, length), Ascii.firstControl(a, from, length),
                                "length " + length + ", from " + from + ", 0x" + Integer.toHexString(value) + " at " + at);
                    }
                }
            }
        }
    }

    @Test
    void theFirstOfSeveralIsFoundWhateverFollowsIt() {
        Random random = new Random(11);
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] a = new byte[1 + random.nextInt(40)];
            for (int i = 0; i < a.length; i++) {
                // Mostly ordinary bytes, some controls, DEL and high bytes, next to one another.
                int pick = random.nextInt(10);
                a[i] = (byte) (pick == 0 ? random.nextInt(0x20) : pick == 1 ? 0x7f : pick == 2 ? 0x80 + random.nextInt(0x80)
                        : 0x20 + random.nextInt(0x5f));
            }
            int from = random.nextInt(a.length + 1);
            assertEquals(naive(a, from, a.length), Ascii.firstControl(a, from, a.length), "trial " + trial);
        }
    }
}
