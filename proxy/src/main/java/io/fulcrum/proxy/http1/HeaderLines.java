package io.fulcrum.proxy.http1;

import java.util.Arrays;

/**
 * The header lines of one head, as a parser finds them: for each, four offsets into the head's bytes
 * (name start and end, value start and end), whether it is forwarded, whether its line is already in
 * "name: value" CRLF form, and which header the proxy takes it for (requests only). A new one per head;
 * the head keeps it.
 */
final class HeaderLines {

    static final int SLOTS = 4;

    private int[] offsets = new int[12 * SLOTS];
    private byte[] kinds = new byte[12];
    /** Bit i: line i is dropped / canonical, for the first 64 lines: fields, not arrays (two objects less a head). */
    private long dropped;
    private long canonical;
    /** The same for lines 64 and up, one long per 64 lines; made only for heads that long. */
    private long[] moreDropped;
    private long[] moreCanonical;
    private int count;

    /** Adds a line; returns its index. */
    int add(int nameStart, int nameEnd, int valueStart, int valueEnd, boolean canonicalLine) {
        if (count == kinds.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
            kinds = Arrays.copyOf(kinds, kinds.length * 2);
        }
        if (count >= 64 && ((count - 64) >>> 6) == (moreDropped == null ? 0 : moreDropped.length)) {
            int words = ((count - 64) >>> 6) + 1;
            moreDropped = moreDropped == null ? new long[words] : Arrays.copyOf(moreDropped, words);
            moreCanonical = moreCanonical == null ? new long[words] : Arrays.copyOf(moreCanonical, words);
        }
        int o = count * SLOTS;
        offsets[o] = nameStart;
        offsets[o + 1] = nameEnd;
        offsets[o + 2] = valueStart;
        offsets[o + 3] = valueEnd;
        if (canonicalLine) {
            if (count < 64) {
                canonical |= 1L << count;
            } else {
                moreCanonical[(count - 64) >>> 6] |= 1L << count;
            }
        }
        return count++;
    }

    /** Header i is not forwarded. */
    void drop(int i) {
        if (i < 64) {
            dropped |= 1L << i;
        } else {
            moreDropped[(i - 64) >>> 6] |= 1L << i;
        }
    }

    void kind(int i, byte kind) {
        kinds[i] = kind;
    }

    int count() {
        return count;
    }

    int nameStart(int i) {
        return offsets[i * SLOTS];
    }

    int nameEnd(int i) {
        return offsets[i * SLOTS + 1];
    }

    int valueStart(int i) {
        return offsets[i * SLOTS + 2];
    }

    int valueEnd(int i) {
        return offsets[i * SLOTS + 3];
    }

    byte kind(int i) {
        return kinds[i];
    }

    boolean isDropped(int i) {
        long word = i < 64 ? dropped : moreDropped[(i - 64) >>> 6];
        return (word & (1L << i)) != 0;
    }

    boolean isCanonical(int i) {
        long word = i < 64 ? canonical : moreCanonical[(i - 64) >>> 6];
        return (word & (1L << i)) != 0;
    }
}
