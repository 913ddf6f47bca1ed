package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;

/**
 * Walks a chunked body (RFC 9112 section 7.1) byte by byte through its framing and in strides
 * through its data, without copying anything: the caller learns where the body ends, how many data
 * bytes it passed, and, if it asks, where each run of data lies. Lines may end in a bare LF only when
 * not {@code strict} (responses, as RFC 9112 section 2.2 allows a recipient); requests must use CRLF.
 *
 * <p>One per connection, {@link #reset} before each body. Event-loop confined.
 */
final class ChunkedFraming {

    /** Told of each run of chunk data walked. */
    interface DataSink {
        void data(ByteBuf buf, int index, int length);
    }

    private static final int SIZE = 0;
    /** Whitespace after the size digits (RFC 9112's BWS): only more of it, ';' or the line end may follow. */
    private static final int SIZE_WS = 11;
    private static final int SIZE_EXT = 1;
    private static final int SIZE_LF = 2;
    private static final int DATA = 3;
    private static final int DATA_CR = 4;
    private static final int DATA_LF = 5;
    private static final int TRAILER_START = 6;
    private static final int TRAILER_LINE = 7;
    private static final int TRAILER_LF = 8;
    private static final int END_LF = 9;
    private static final int DONE = 10;

    /** A chunk-size line, extensions included, may be this long. */
    static final int MAX_CHUNK_LINE = 4096;

    private final boolean strict;
    private final int maxTrailerBytes;
    private final ParseError error;
    private int phase;
    private long size;
    private boolean digits;
    private int lineBytes;
    private long left;
    private long dataBytes;

    /** Builds the exception a framing error throws: the caller's own kind. */
    interface ParseError {
        RuntimeException of(String message);
    }

    ChunkedFraming(boolean strict, int maxTrailerBytes, ParseError error) {
        this.strict = strict;
        this.maxTrailerBytes = maxTrailerBytes;
        this.error = error;
    }

    void reset() {
        phase = SIZE;
        size = 0;
        digits = false;
        lineBytes = 0;
        left = 0;
    }

    /** Whether the walk reached the end of the body (the blank line after the last chunk and trailers). */
    boolean finished() {
        return phase == DONE;
    }

    /** Data bytes passed by the last {@link #walk}. */
    long dataBytes() {
        return dataBytes;
    }

    /**
     * Walks {@code buf} from {@code from} up to {@code to} or the body's end, whichever comes first.
     *
     * @param sink told of each data run, or null
     * @return the index after the last byte walked
     */
    int walk(ByteBuf buf, int from, int to, DataSink sink) {
        dataBytes = 0;
        int i = from;
        while (i < to && phase != DONE) {
            if (phase == DATA) {
                int n = (int) Math.min(left, to - i);
                if (sink != null) {
                    sink.data(buf, i, n);
                }
                i += n;
                left -= n;
                dataBytes += n;
                if (left == 0) {
                    phase = DATA_CR;
                }
            } else {
                step(buf.getByte(i++));
            }
        }
        return i;
    }

    private void step(byte b) {
        switch (phase) {
            case SIZE -> {
                int d = hex(b);
                if (d >= 0) {
                    if (size > (Long.MAX_VALUE >>> 5)) {
                        throw error.of("chunk size too large");
                    }
                    size = size * 16 + d;
                    digits = true;
                    countLine();
                } else if (!digits) {
                    throw error.of("malformed chunk size");
                } else {
                    // The digits ended: what may follow them is what may follow whitespace after them.
                    phase = SIZE_WS;
                    step(b);
                }
            }
            case SIZE_WS -> {
                if (b == ';') {
                    phase = SIZE_EXT;
                    countLine();
                } else if (Ascii.isOws(b)) {
                    countLine();
                } else if (b == Ascii.CR) {
                    phase = SIZE_LF;
                } else if (b == Ascii.LF && !strict) {
                    endOfSizeLine();
                } else {
                    throw error.of("malformed chunk size");
                }
            }
            case SIZE_EXT -> {
                if (b == Ascii.CR) {
                    phase = SIZE_LF;
                } else if (b == Ascii.LF && !strict) {
                    endOfSizeLine();
                } else if (Ascii.isForbiddenInValue(b)) {
                    throw error.of("control byte in a chunk extension");
                } else {
                    countLine();
                }
            }
            case SIZE_LF -> {
                if (b != Ascii.LF) {
                    throw error.of("bare CR in a chunk size line");
                }
                endOfSizeLine();
            }
            case DATA_CR -> {
                if (b == Ascii.CR) {
                    phase = DATA_LF;
                } else if (b == Ascii.LF && !strict) {
                    phase = SIZE;
                } else {
                    throw error.of("chunk data longer than its size");
                }
            }
            case DATA_LF -> {
                if (b != Ascii.LF) {
                    throw error.of("chunk data longer than its size");
                }
                phase = SIZE;
            }
            case TRAILER_START -> {
                if (b == Ascii.CR) {
                    phase = END_LF;
                } else if (b == Ascii.LF && !strict) {
                    phase = DONE;
                } else if (Ascii.isForbiddenInValue(b)) {
                    throw error.of("control byte in a trailer field");
                } else {
                    phase = TRAILER_LINE;
                    countTrailer();
                }
            }
            case TRAILER_LINE -> {
                if (b == Ascii.CR) {
                    phase = TRAILER_LF;
                } else if (b == Ascii.LF && !strict) {
                    phase = TRAILER_START;
                } else if (Ascii.isForbiddenInValue(b)) {
                    throw error.of("control byte in a trailer field");
                } else {
                    countTrailer();
                }
            }
            case TRAILER_LF -> {
                if (b != Ascii.LF) {
                    throw error.of("bare CR in a trailer field");
                }
                phase = TRAILER_START;
            }
            case END_LF -> {
                if (b != Ascii.LF) {
                    throw error.of("bare CR after the last chunk");
                }
                phase = DONE;
            }
            default -> throw new IllegalStateException("chunk phase " + phase);
        }
    }

    private void endOfSizeLine() {
        lineBytes = 0;
        digits = false;
        if (size == 0) {
            phase = TRAILER_START;
        } else {
            left = size;
            size = 0;
            phase = DATA;
        }
    }

    private void countLine() {
        if (++lineBytes > MAX_CHUNK_LINE) {
            throw error.of("chunk size line longer than " + MAX_CHUNK_LINE + " bytes");
        }
    }

    private void countTrailer() {
        if (++lineBytes > maxTrailerBytes) {
            throw error.of("trailer section longer than " + maxTrailerBytes + " bytes");
        }
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
