package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads a backend connection's responses: each head once, as a {@link ResponseHead}, then the body
 * as {@link ResponseBody} pieces that are slices of what the socket read (no copy), the last one
 * flagged. Replaces Netty's {@code HttpResponseDecoder} on backend connections.
 *
 * <p>Before each request the connection's exchange says what to expect ({@link #expect}): whether the
 * request was HEAD (its response has no body), and whether to keep the chunked framing in the pieces
 * (an HTTP/1.1 client is sent the chunks as they came) or to pass only the data (HTTP/2 clients).
 *
 * <p>After {@code 101 Switching Protocols} the connection is no longer HTTP: the bytes that followed
 * the head are passed on as they are, to whatever the pipeline holds by then (the tunnel).
 *
 * <p>A response that breaks the protocol is an error ({@link ResponseParseException}, fired as an
 * exception): the connection is given up. So is one followed by bytes nobody asked for, since they
 * would be read as the answer to the connection's next request. Event-loop confined.
 */
public final class ResponseParser extends ChannelInboundHandlerAdapter {

    private enum State { HEAD, LENGTH, CHUNKED, CLOSE, UPGRADED, BROKEN }

    // Where the chunked-body machine is (RFC 9112 section 7.1).
    private static final int SIZE = 0;
    private static final int SIZE_EXT = 1;
    private static final int SIZE_LF = 2;
    private static final int DATA = 3;
    private static final int DATA_CR = 4;
    private static final int DATA_LF = 5;
    private static final int TRAILER_START = 6;
    private static final int TRAILER_LINE = 7;
    private static final int END_LF = 8;

    /** A chunk-size line, extensions included, may be this long. */
    private static final int MAX_CHUNK_LINE = 4096;

    private final int maxHeadBytes;
    private final HeadParser heads = new HeadParser();
    private State state = State.HEAD;
    private boolean headRequest;
    private boolean keepFraming = true;
    /** A head split across reads: its bytes so far (a copy); null otherwise. */
    private ByteBuf partial;
    /** Bytes of {@link #partial} already searched for the head's end. */
    private int searched;
    /** The buffer being decoded is {@link #partial}'s bytes with the read appended, so {@link #searched} applies. */
    private boolean cumulated;
    /** LENGTH: body bytes still to come. CHUNKED: data bytes left in the current chunk. */
    private long remaining;
    private int chunkPhase;
    private long chunkSize;
    private boolean chunkDigits;
    private int lineBytes;
    /** Bytes came after the end of a response: the connection cannot be reused. */
    private boolean unsolicited;

    /** @param maxHeadBytes a longer response head is an error */
    public ResponseParser(int maxHeadBytes) {
        this.maxHeadBytes = maxHeadBytes;
    }

    /** What the next response answers: call before writing each request on this connection. */
    public void expect(boolean headRequest, boolean keepFraming) {
        this.headRequest = headRequest;
        this.keepFraming = keepFraming;
    }

    /** Whether the last response ended cleanly, with nothing after it: the connection may carry another request. */
    public boolean reusable() {
        return state == State.HEAD && partial == null && !unsolicited;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == State.BROKEN) {
            in.release();
            return;
        }
        ByteBuf buf = in;
        cumulated = partial != null;
        if (cumulated) {
            // While it is decoded the cumulation belongs to this read, not to the parser: a handler the
            // pieces reach may ask reusable() (the last piece) or remove the parser (the tunnel, after a 101).
            buf = append(ctx, partial, in);
            partial = null;
        }
        try {
            decode(ctx, buf);
        } catch (ResponseParseException e) {
            state = State.BROKEN;
            ctx.fireExceptionCaught(e);
        } finally {
            if (state == State.HEAD && buf.isReadable() && !ctx.isRemoved()) {
                // The start of a head, not all of it: keep it (a copy of a read's buffer) until the rest comes.
                if (cumulated) {
                    partial = buf;
                } else {
                    partial = ctx.alloc().buffer(Math.max(256, buf.readableBytes() * 2));
                    partial.writeBytes(buf);
                    buf.release();
                }
            } else {
                buf.release();
            }
        }
    }

    private static ByteBuf append(ChannelHandlerContext ctx, ByteBuf partial, ByteBuf in) {
        try {
            if (partial.writableBytes() < in.readableBytes() && partial.refCnt() == 1) {
                // Not while a head read from it is held (an interim one): its bytes would be overwritten.
                partial.discardReadBytes();
            }
            if (partial.writableBytes() < in.readableBytes()) {
                ByteBuf bigger = ctx.alloc().buffer(Math.max(partial.readableBytes() + in.readableBytes(),
                        partial.capacity() * 2));
                bigger.writeBytes(partial);
                partial.release();
                partial = bigger;
            }
            partial.writeBytes(in);
            return partial;
        } finally {
            in.release();
        }
    }

    private void decode(ChannelHandlerContext ctx, ByteBuf buf) {
        while (buf.isReadable()) {
            if (unsolicited) {
                // A response ended and more bytes follow it: no request is waiting for them.
                buf.skipBytes(buf.readableBytes());
                state = State.BROKEN;
                ctx.close();
                return;
            }
            switch (state) {
                case HEAD -> {
                    if (!readHead(ctx, buf)) {
                        return;
                    }
                }
                case LENGTH -> readLength(ctx, buf);
                case CHUNKED -> readChunked(ctx, buf);
                case CLOSE -> ctx.fireChannelRead(new ResponseBody(buf.readRetainedSlice(buf.readableBytes()), false));
                case UPGRADED -> {
                    ByteBuf rest = buf.readRetainedSlice(buf.readableBytes());
                    if (ctx.isRemoved()) {
                        // The tunnel replaced this handler while the head was being handled: give it the rest.
                        ctx.pipeline().fireChannelRead(rest);
                    } else {
                        ctx.fireChannelRead(rest);
                    }
                }
                default -> {
                    buf.skipBytes(buf.readableBytes());
                    return;
                }
            }
        }
    }

    /** Reads one head if all of it is here; false (nothing consumed) when more bytes are needed. */
    private boolean readHead(ChannelHandlerContext ctx, ByteBuf buf) {
        int start = buf.readerIndex();
        int end = findHeadEnd(buf, start + (cumulated ? Math.max(0, searched - 2) : 0));
        if (end < 0) {
            if (buf.readableBytes() > maxHeadBytes) {
                throw new ResponseParseException("response head longer than " + maxHeadBytes + " bytes");
            }
            searched = buf.readableBytes();
            return false;
        }
        searched = 0;
        int length = end + 1 - start;
        if (length > maxHeadBytes) {
            throw new ResponseParseException("response head longer than " + maxHeadBytes + " bytes");
        }
        ByteBuf bytes = buf.readRetainedSlice(length);
        ResponseHead head;
        try {
            head = heads.parse(bytes, headRequest);
        } catch (RuntimeException e) {
            bytes.release();
            throw e;
        }
        int status = head.status();
        BodyFraming framing = head.framing();
        if (status == 101) {
            state = State.UPGRADED;
            ctx.fireChannelRead(head);
            return true;
        }
        if (status < 200) {
            // 100 Continue and other interim answers: the final response follows on the same connection.
            ctx.fireChannelRead(head);
            return true;
        }
        if (framing == BodyFraming.NONE || (framing == BodyFraming.LENGTH && head.contentLength() == 0)) {
            state = State.HEAD;
            unsolicited = buf.isReadable();
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(new ResponseBody(Unpooled.EMPTY_BUFFER, true));
            return true;
        }
        switch (framing) {
            case LENGTH -> {
                state = State.LENGTH;
                remaining = head.contentLength();
            }
            case CHUNKED -> {
                state = State.CHUNKED;
                chunkPhase = SIZE;
                chunkSize = 0;
                chunkDigits = false;
                lineBytes = 0;
            }
            default -> state = State.CLOSE;
        }
        ctx.fireChannelRead(head);
        return true;
    }

    /** The index of the LF that ends the head (the second of LF [CR] LF), or -1. */
    private static int findHeadEnd(ByteBuf buf, int from) {
        int end = buf.writerIndex();
        int i = from;
        while (i < end) {
            int lf = buf.indexOf(i, end, Ascii.LF);
            if (lf < 0) {
                return -1;
            }
            if (lf + 1 < end && buf.getByte(lf + 1) == Ascii.LF) {
                return lf + 1;
            }
            if (lf + 2 < end && buf.getByte(lf + 1) == Ascii.CR && buf.getByte(lf + 2) == Ascii.LF) {
                return lf + 2;
            }
            if (lf + 2 >= end) {
                return -1;
            }
            i = lf + 1;
        }
        return -1;
    }

    private void readLength(ChannelHandlerContext ctx, ByteBuf buf) {
        int n = (int) Math.min(remaining, buf.readableBytes());
        remaining -= n;
        boolean last = remaining == 0;
        ByteBuf piece = buf.readRetainedSlice(n);
        if (last) {
            state = State.HEAD;
            unsolicited = buf.isReadable();
        }
        ctx.fireChannelRead(new ResponseBody(piece, last));
    }

    /**
     * Walks the chunked framing. Keeping framing, the piece passed on is every byte walked, framing
     * included; otherwise each run of chunk data is passed on as it is found, and an empty last piece
     * ends the body (trailer fields are read and dropped).
     */
    private void readChunked(ChannelHandlerContext ctx, ByteBuf buf) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        int i = start;
        boolean finished = false;
        while (i < end && !finished) {
            if (chunkPhase == DATA) {
                int n = (int) Math.min(remaining, end - i);
                if (!keepFraming) {
                    ctx.fireChannelRead(new ResponseBody(buf.retainedSlice(i, n), false));
                }
                i += n;
                remaining -= n;
                if (remaining == 0) {
                    chunkPhase = DATA_CR;
                }
            } else {
                finished = step(buf.getByte(i++));
            }
        }
        buf.readerIndex(i);
        if (finished) {
            state = State.HEAD;
            unsolicited = buf.isReadable();
        }
        if (keepFraming) {
            if (i > start || finished) {
                ctx.fireChannelRead(new ResponseBody(buf.retainedSlice(start, i - start), finished));
            }
        } else if (finished) {
            ctx.fireChannelRead(new ResponseBody(Unpooled.EMPTY_BUFFER, true));
        }
    }

    /** One byte of framing; true when it ends the body. */
    private boolean step(byte b) {
        switch (chunkPhase) {
            case SIZE -> {
                int d = hex(b);
                if (d >= 0) {
                    if (chunkSize > (Long.MAX_VALUE >>> 5)) {
                        throw new ResponseParseException("chunk size too large");
                    }
                    chunkSize = chunkSize * 16 + d;
                    chunkDigits = true;
                    countLine();
                } else if (!chunkDigits) {
                    throw new ResponseParseException("malformed chunk size");
                } else if (b == ';' || Ascii.isOws(b)) {
                    chunkPhase = SIZE_EXT;
                    countLine();
                } else if (b == Ascii.CR) {
                    chunkPhase = SIZE_LF;
                } else if (b == Ascii.LF) {
                    endOfSizeLine();
                } else {
                    throw new ResponseParseException("malformed chunk size");
                }
            }
            case SIZE_EXT -> {
                if (b == Ascii.CR) {
                    chunkPhase = SIZE_LF;
                } else if (b == Ascii.LF) {
                    endOfSizeLine();
                } else if (Ascii.isForbiddenInValue(b)) {
                    throw new ResponseParseException("control byte in a chunk extension");
                } else {
                    countLine();
                }
            }
            case SIZE_LF -> {
                if (b != Ascii.LF) {
                    throw new ResponseParseException("bare CR in a chunk size line");
                }
                endOfSizeLine();
            }
            case DATA_CR -> {
                if (b == Ascii.CR) {
                    chunkPhase = DATA_LF;
                } else if (b == Ascii.LF) {
                    chunkPhase = SIZE;
                } else {
                    throw new ResponseParseException("chunk data longer than its size");
                }
            }
            case DATA_LF -> {
                if (b != Ascii.LF) {
                    throw new ResponseParseException("chunk data longer than its size");
                }
                chunkPhase = SIZE;
            }
            case TRAILER_START -> {
                if (b == Ascii.CR) {
                    chunkPhase = END_LF;
                } else if (b == Ascii.LF) {
                    return true;
                } else {
                    chunkPhase = TRAILER_LINE;
                    countTrailer();
                }
            }
            case TRAILER_LINE -> {
                if (b == Ascii.LF) {
                    chunkPhase = TRAILER_START;
                } else {
                    countTrailer();
                }
            }
            case END_LF -> {
                if (b != Ascii.LF) {
                    throw new ResponseParseException("bare CR after the last chunk");
                }
                return true;
            }
            default -> throw new IllegalStateException("chunk phase " + chunkPhase);
        }
        return false;
    }

    private void endOfSizeLine() {
        lineBytes = 0;
        chunkDigits = false;
        if (chunkSize == 0) {
            chunkPhase = TRAILER_START;
        } else {
            remaining = chunkSize;
            chunkSize = 0;
            chunkPhase = DATA;
        }
    }

    private void countLine() {
        if (++lineBytes > MAX_CHUNK_LINE) {
            throw new ResponseParseException("chunk size line longer than " + MAX_CHUNK_LINE + " bytes");
        }
    }

    private void countTrailer() {
        if (++lineBytes > maxHeadBytes) {
            throw new ResponseParseException("trailer section longer than " + maxHeadBytes + " bytes");
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

    /** A body delimited by the backend closing ends here, cleanly; any other body in progress is cut short. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePartial();
        if (state == State.CLOSE) {
            state = State.HEAD;
            ctx.fireChannelRead(new ResponseBody(Unpooled.EMPTY_BUFFER, true));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePartial();
    }

    private void releasePartial() {
        if (partial != null) {
            ReferenceCountUtil.release(partial);
            partial = null;
        }
    }
}
