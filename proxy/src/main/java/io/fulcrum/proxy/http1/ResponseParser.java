package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Reads a backend connection's responses: each head once, as a {@link ResponseHead}, then the body
 * as {@link ResponseBody} pieces that are slices of what the socket read (no copy), the last one
 * flagged. A response with no body, or whose Content-Length body came whole in the read of its head
 * (most small answers), is one {@link ResponseHead#complete} message holding both: no piece follows.
 * Replaces Netty's {@code HttpResponseDecoder} on backend connections.
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
public final class ResponseParser extends Http1Parser {

    private enum State { HEAD, LENGTH, CHUNKED, CLOSE, UPGRADED }

    private final int maxHeadBytes;
    /** The head parser and its scratch array are the loop's, not each connection's. */
    private static final FastThreadLocal<HeadParser> HEADS = new FastThreadLocal<>() {
        @Override
        protected HeadParser initialValue() {
            return new HeadParser();
        }
    };

    private final ChunkedFraming chunks;
    private State state = State.HEAD;
    private boolean headRequest;
    private boolean keepFraming = true;
    /** LENGTH: body bytes still to come. */
    private long remaining;
    /** Bytes came after the end of a response: the connection cannot be reused. */
    private boolean unsolicited;
    /** The context, for data runs found while walking chunked framing without keeping it. */
    private ChannelHandlerContext ctx;
    /** Passes each run of chunk data on, when the framing is not kept. */
    private final ChunkedFraming.DataSink dataRuns =
            (buf, index, length) -> ctx.fireChannelRead(new ResponseBody(buf.retainedSlice(index, length), false));

    /** @param maxHeadBytes a longer response head (or trailer section) is an error */
    public ResponseParser(int maxHeadBytes) {
        this.maxHeadBytes = maxHeadBytes;
        this.chunks = new ChunkedFraming(false, maxHeadBytes, ResponseParseException::new);
    }

    /** What the next response answers: call before writing each request on this connection. */
    public void expect(boolean headRequest, boolean keepFraming) {
        this.headRequest = headRequest;
        this.keepFraming = keepFraming;
    }

    /** Whether the last response ended cleanly, with nothing after it: the connection may carry another request. */
    public boolean reusable() {
        return idle() && !unsolicited;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    boolean awaitingHead() {
        return state == State.HEAD;
    }

    @Override
    void decode(ChannelHandlerContext ctx, ByteBuf buf) {
        while (buf.isReadable() && !broken()) {
            if (unsolicited) {
                // A response ended and more bytes follow it: no request is waiting for them.
                buf.skipBytes(buf.readableBytes());
                giveUp();
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
            }
        }
    }

    /** Reads one head if all of it is here; false (nothing consumed) when more bytes are needed. */
    private boolean readHead(ChannelHandlerContext ctx, ByteBuf buf) {
        int start = buf.readerIndex();
        int end = findHeadEnd(buf, true);
        if (end < 0) {
            if (buf.readableBytes() > maxHeadBytes) {
                throw new ResponseParseException("response head longer than " + maxHeadBytes + " bytes");
            }
            return false;
        }
        int length = end + 1 - start;
        if (length > maxHeadBytes) {
            throw new ResponseParseException("response head longer than " + maxHeadBytes + " bytes");
        }
        ResponseHead head = HEADS.get().take(buf, length, headRequest);
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
        if (head.complete()) {
            // No body, or all of it came with the head: the response is this one message.
            state = State.HEAD;
            unsolicited = buf.isReadable();
            ctx.fireChannelRead(head);
            return true;
        }
        switch (framing) {
            case LENGTH -> {
                state = State.LENGTH;
                remaining = head.contentLength();
            }
            case CHUNKED -> {
                state = State.CHUNKED;
                chunks.reset();
            }
            default -> state = State.CLOSE;
        }
        ctx.fireChannelRead(head);
        return true;
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
     * included; otherwise each run of chunk data is passed on as it is found, and an
     * empty last piece ends the body (trailer fields are read and dropped).
     */
    private void readChunked(ChannelHandlerContext ctx, ByteBuf buf) {
        int start = buf.readerIndex();
        int end = chunks.walk(buf, start, buf.writerIndex(), keepFraming ? null : dataRuns);
        buf.readerIndex(end);
        boolean finished = chunks.finished();
        if (finished) {
            state = State.HEAD;
            unsolicited = buf.isReadable();
        }
        if (keepFraming) {
            ctx.fireChannelRead(new ResponseBody(buf.retainedSlice(start, end - start), finished));
        } else if (finished) {
            ctx.fireChannelRead(new ResponseBody(Unpooled.EMPTY_BUFFER, true));
        }
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
}
