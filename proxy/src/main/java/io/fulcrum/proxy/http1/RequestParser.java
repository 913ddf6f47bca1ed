package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Reads an HTTP/1.1 client connection's requests: each head once, as a {@link RequestHead}, then its
 * body as {@link RequestBody} pieces that are slices of what the socket read, framing included. A
 * request without a body ({@link RequestHead#hasBody()} false) is its head alone: no piece follows it,
 * so the most common request costs one message through the pipeline, not two. Replaces Netty's
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
public final class RequestParser extends Http1Parser {

    /** A chunked request body broke its framing: the request cannot be delimited. */
    public static final class RequestBodyException extends Http1ParseException {
        RequestBodyException(String message) {
            super(message);
        }
    }

    private enum State { HEAD, LENGTH, CHUNKED }

    /** The head parser and its scratch array are the loop's, not each connection's. */
    static final FastThreadLocal<RequestHeadParser> HEADS = new FastThreadLocal<>() {
        @Override
        protected RequestHeadParser initialValue() {
            return new RequestHeadParser();
        }
    };

    private final int maxLineBytes;
    private final int maxHeaderBytes;
    private final Runnable onBytes;
    private State state = State.HEAD;
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
    void bytesArrived() {
        onBytes.run();
    }

    @Override
    boolean awaitingHead() {
        return state == State.HEAD;
    }

    @Override
    void decode(ChannelHandlerContext ctx, ByteBuf buf) {
        while (buf.isReadable() && !broken()) {
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
            }
        }
    }

    private boolean readHead(ChannelHandlerContext ctx, ByteBuf buf) {
        skipEmptyLines(buf);
        if (!buf.isReadable()) {
            return false;
        }
        int start = buf.readerIndex();
        int end = findHeadEnd(buf, false);
        if (end < 0) {
            HttpResponseStatus tooLong = tooLong(buf, start);
            if (tooLong != null) {
                reject(ctx, buf, tooLong);
            }
            return false;
        }
        RequestHead head = HEADS.get().parse(buf.readRetainedSlice(end + 1 - start), maxLineBytes, maxHeaderBytes);
        if (head.problem() != null) {
            giveUp();
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
        } else if (head.contentLength() > 0) {
            remaining = head.contentLength();
            state = State.LENGTH;
        }
        // Without a body the state stays HEAD: the next bytes start the next request.
        ctx.fireChannelRead(head);
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
        giveUp();
        buf.skipBytes(buf.readableBytes());
        ctx.fireChannelRead(RequestHead.malformed(status));
    }

    /** Empty lines before a request line are skipped (RFC 9112 section 2.2 asks to ignore at least one). */
    private static void skipEmptyLines(ByteBuf buf) {
        while (buf.readableBytes() >= 2) {
            int i = buf.readerIndex();
            if (buf.getByte(i) == Ascii.CR && buf.getByte(i + 1) == Ascii.LF) {
                buf.skipBytes(2);
            } else {
                return;
            }
        }
    }
}
