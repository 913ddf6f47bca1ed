package io.fulcrum.proxy.http1;

import java.util.Arrays;

/**
 * The header lines of one head, as a parser finds them: for each, four offsets into the head's bytes
 * (name start and end, value start and end), whether it is forwarded, whether its line is already in
 * "name: value" CRLF form, and which header the proxy takes it for (requests only).
 *
 * <p>A parser fills one {@link #scratch()} per thread, head after head, and gives each head a {@link
 * #copy} of exactly its lines. A new growable set per head (room for 12 lines) was half of the event
 * loop's allocation; exact copies cut the bytes allocated per request by about a quarter, and the young
 * collections with them (bench/README.md, 2026-12-02 evening).
 */
final class HeaderLines {

    static final int SLOTS = 4;

    /** A head without header lines (a malformed one): never changed. */
    static final HeaderLines NONE = new HeaderLines(new int[0], new byte[0]);

    /** Lines a scratch has room for before it grows; a scratch grown past {@link #KEEP_LINES} is dropped. */
    private static final int SCRATCH_LINES = 16;
    private static final int KEEP_LINES = 64;

    private int[] offsets;
    private byte[] kinds;
    /** Bit i: line i is dropped / canonical, for the first 64 lines: fields, not arrays (two objects less a head). */
    private long dropped;
    private long canonical;
    /** The same for lines 64 and up, one long per 64 lines; made only for heads that long. */
    private long[] moreDropped;
    private long[] moreCanonical;
    private int count;

    private HeaderLines(int[] offsets, byte[] kinds) {
        this.offsets = offsets;
        this.kinds = kinds;
    }

    /** An empty set for a parser to fill, {@link #reset} and fill again. */
    static HeaderLines scratch() {
        return new HeaderLines(new int[SCRATCH_LINES * SLOTS], new byte[SCRATCH_LINES]);
    }

    /** Whether a scratch grew so large with a long head that the parser should take a fresh one. */
    boolean oversized() {
        return kinds.length > KEEP_LINES;
    }

    /** Empties a scratch for the next head. */
    void reset() {
        count = 0;
        dropped = 0;
        canonical = 0;
        if (moreDropped != null) {
            Arrays.fill(moreDropped, 0);
            Arrays.fill(moreCanonical, 0);
        }
    }

    /**
     * Exactly these lines, for a head to keep while the scratch goes on to the next head.
     *
     * @param withKinds whether the kinds are kept too (a request's; a response's are never set)
     */
    HeaderLines copy(boolean withKinds) {
        if (count == 0) {
            return NONE;
        }
        HeaderLines c = new HeaderLines(Arrays.copyOf(offsets, count * SLOTS),
                withKinds ? Arrays.copyOf(kinds, count) : NONE.kinds);
        c.count = count;
        c.dropped = dropped;
        c.canonical = canonical;
        if (count > 64) {
            int words = ((count - 65) >>> 6) + 1;
            c.moreDropped = Arrays.copyOf(moreDropped, words);
            c.moreCanonical = Arrays.copyOf(moreCanonical, words);
        }
        return c;
    }

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

    /** Line i's kind; 0 for a copy made without kinds. */
    byte kind(int i) {
        return i < kinds.length ? kinds[i] : 0;
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
