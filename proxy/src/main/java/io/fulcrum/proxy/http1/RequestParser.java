package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Reads an HTTP/1.1 client connection's requests: each head once, as a {@link RequestHead}, then its
 * body as {@link RequestBody} pieces that are slices of what the socket read, framing included; a
 * request without a body is followed by one empty last piece. Replaces Netty's
 * {@code HttpRequestDecoder} on client connections.
 *
 * <p>A head it cannot accept (SPEC section 6: malformed 400, request line too long 414, headers too
 * large 431, ambiguous framing 400) is passed on with its problem set, and everything after it is
 * dropped: the framing of what follows cannot be trusted, so the connection ends with the answer.
 * A chunked body that breaks its framing is an exception event ({@link RequestBodyException}),
 * and the connection ends for the same reason.
 *
 * <p>Every read is announced to {@code onBytes} before it is parsed (the client-header and
 * client-idle timeouts count from raw bytes). Event-loop confined.
 */
public final class RequestParser extends ChannelInboundHandlerAdapter {

    /** A chunked request body broke its framing: the request cannot be delimited. */
    public static final class RequestBodyException extends RuntimeException {
        RequestBodyException(String message) {
            super(message, null, false, false);
        }
    }

    private enum State { HEAD, LENGTH, CHUNKED, BROKEN }

    /** The head parser and its scratch array are the loop's, not each connection's. */
    static final FastThreadLocal<RequestHeadParser> HEADS = new FastThreadLocal<>() {
        @Override
        protected RequestHeadParser initialValue() {
            return new RequestHeadParser();
        }
    };

    /** Empty lines a client may send before a request line (RFC 9112 section 2.2 asks to ignore at least one). */
    private static final int MAX_LEADING_EMPTY_LINES = 16;

    private final int maxLineBytes;
    private final int maxHeaderBytes;
    private final Runnable onBytes;
    private State state = State.HEAD;
    private ByteBuf partial;
    /** Bytes of {@link #partial} already searched for the head's end. */
    private int searched;
    private long remaining;
    /** Made on the connection's first chunked body: most connections never send one. */
    private ChunkedFraming chunks;

    /**
     * @param maxLineBytes   a longer request line is answered 414
     * @param maxHeaderBytes longer header lines (after the request line) are answered 431
     * @param onBytes        told of every read, before it is parsed
     */
    public RequestParser(int maxLineBytes, int maxHeaderBytes, Runnable onBytes) {
        this.maxLineBytes = maxLineBytes;
        this.maxHeaderBytes = maxHeaderBytes;
        this.onBytes = onBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        onBytes.run();
        if (state == State.BROKEN) {
            in.release();
            return;
        }
        ByteBuf buf = in;
        if (partial != null) {
            buf = partial = append(ctx, partial, in);
        }
        try {
            decode(ctx, buf);
        } catch (RequestBodyException e) {
            state = State.BROKEN;
            ctx.fireExceptionCaught(e);
        } finally {
            if (buf == partial) {
                if (state != State.HEAD || !partial.isReadable()) {
                    partial.release();
                    partial = null;
                }
            } else {
                if (state == State.HEAD && buf.isReadable()) {
                    partial = ctx.alloc().buffer(Math.max(256, buf.readableBytes() * 2));
                    partial.writeBytes(buf);
                }
                buf.release();
            }
        }
    }

    private static ByteBuf append(ChannelHandlerContext ctx, ByteBuf partial, ByteBuf in) {
        try {
            if (partial.writableBytes() < in.readableBytes() && partial.refCnt() == 1) {
                // Only while no head or body piece still holds a slice of it: moving the bytes would change theirs.
                partial.discardReadBytes();
            }
            if (partial.writableBytes() < in.readableBytes()) {
                // Sized by what it holds, not by the old capacity: while slices are held, nothing is
                // discarded, and doubling the capacity each time would grow without bound.
                ByteBuf bigger = ctx.alloc().buffer(Math.max(256, 2 * (partial.readableBytes() + in.readableBytes())));
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
            switch (state) {
                case HEAD -> {
                    if (!readHead(ctx, buf)) {
                        return;
                    }
                }
                case LENGTH -> {
                    int n = (int) Math.min(remaining, buf.readableBytes());
                    remaining -= n;
                    boolean last = remaining == 0;
                    if (last) {
                        state = State.HEAD;
                    }
                    ctx.fireChannelRead(new RequestBody(buf.readRetainedSlice(n), n, last));
                }
                case CHUNKED -> {
                    int start = buf.readerIndex();
                    int end = chunks.walk(buf, start, buf.writerIndex(), null);
                    boolean last = chunks.finished();
                    if (last) {
                        state = State.HEAD;
                    }
                    ctx.fireChannelRead(new RequestBody(buf.readRetainedSlice(end - start), chunks.dataBytes(), last));
                }
                default -> {
                    buf.skipBytes(buf.readableBytes());
                    return;
                }
            }
        }
    }

    private boolean readHead(ChannelHandlerContext ctx, ByteBuf buf) {
        skipEmptyLines(buf);
        if (!buf.isReadable()) {
            return false;
        }
        int start = buf.readerIndex();
        int end = findHeadEnd(buf, start, start + (buf == partial ? Math.max(0, searched - 3) : 0));
        if (end < 0) {
            HttpResponseStatus tooLong = tooLong(buf, start);
            if (tooLong != null) {
                reject(ctx, buf, tooLong);
            }
            searched = buf.readableBytes();
            return false;
        }
        searched = 0;
        RequestHead head = HEADS.get().parse(buf.readRetainedSlice(end + 1 - start), maxLineBytes, maxHeaderBytes);
        if (head.problem() != null) {
            state = State.BROKEN;
            buf.skipBytes(buf.readableBytes());
            ctx.fireChannelRead(head);
            return false;
        }
        if (head.chunked()) {
            if (chunks == null) {
                chunks = new ChunkedFraming(true, maxHeaderBytes, RequestBodyException::new);
            }
            chunks.reset();
            state = State.CHUNKED;
            ctx.fireChannelRead(head);
        } else if (head.contentLength() > 0) {
            remaining = head.contentLength();
            state = State.LENGTH;
            ctx.fireChannelRead(head);
        } else {
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(new RequestBody(Unpooled.EMPTY_BUFFER, 0, true));
        }
        return true;
    }

    /** A head still incomplete that is already over a limit: 414 while in the request line, 431 after it. */
    private HttpResponseStatus tooLong(ByteBuf buf, int start) {
        int readable = buf.readableBytes();
        int lf = buf.indexOf(start, buf.writerIndex(), Ascii.LF);
        if (lf < 0) {
            return readable > maxLineBytes + 2 ? HttpResponseStatus.REQUEST_URI_TOO_LONG : null;
        }
        return lf - start > maxLineBytes + 1 ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : readable - (lf + 1 - start) > maxHeaderBytes + 2 ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : null;
    }

    private void reject(ChannelHandlerContext ctx, ByteBuf buf, HttpResponseStatus status) {
        state = State.BROKEN;
        buf.skipBytes(buf.readableBytes());
        ctx.fireChannelRead(RequestHead.malformed(Unpooled.EMPTY_BUFFER, status));
    }

    private static void skipEmptyLines(ByteBuf buf) {
        for (int n = 0; n < MAX_LEADING_EMPTY_LINES && buf.readableBytes() >= 2; n++) {
            int i = buf.readerIndex();
            if (buf.getByte(i) == Ascii.CR && buf.getByte(i + 1) == Ascii.LF) {
                buf.skipBytes(2);
            } else {
                return;
            }
        }
    }

    /**
     * The index of the LF of the CRLFCRLF that ends the head, or of the first bare LF (a head that
     * cannot be valid, ended there so that it is answered instead of waited for), or -1.
     */
    private static int findHeadEnd(ByteBuf buf, int start, int from) {
        int end = buf.writerIndex();
        int i = from;
        while (i < end) {
            int lf = buf.indexOf(i, end, Ascii.LF);
            if (lf < 0) {
                return -1;
            }
            if (lf == start || buf.getByte(lf - 1) != Ascii.CR) {
                return lf;
            }
            if (lf + 2 >= end) {
                return -1;
            }
            if (buf.getByte(lf + 1) == Ascii.CR && buf.getByte(lf + 2) == Ascii.LF) {
                return lf + 2;
            }
            i = lf + 1;
        }
        return -1;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePartial();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePartial();
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }
}
