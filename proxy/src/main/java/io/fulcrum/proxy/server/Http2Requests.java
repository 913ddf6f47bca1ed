package io.fulcrum.proxy.server;

import io.fulcrum.proxy.config.LimitsConfig;
import io.fulcrum.proxy.http1.HeaderBuilder;
import io.fulcrum.proxy.http1.RequestBody;
import io.fulcrum.proxy.http1.RequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * On an HTTP/2 stream, between Netty's HTTP/2-to-HTTP/1 conversion and the {@link ClientHandler}:
 * turns the converted request into what an HTTP/1.1 connection's {@link io.fulcrum.proxy.http1.RequestParser}
 * gives, a {@link RequestHead} and {@link RequestBody} pieces framed for an HTTP/1.1 backend (chunked
 * when the client sent no content-length, as Netty's conversion then says; none when the head says
 * there is no body), so both protocols share one request path. The conversion's own {@code x-http2-*}
 * headers are not the client's and are dropped. One per stream.
 */
final class Http2Requests extends ChannelInboundHandlerAdapter {

    private static final byte[] CRLF = {'\r', '\n'};

    private final LimitsConfig limits;
    /** The request being read is sent chunked. */
    private boolean chunked;
    /**
     * The request being read has no body (as on HTTP/1.1, its head is all the client handler gets): the
     * stream's empty last piece is dropped. HTTP/2 checks a DATA length against content-length itself.
     */
    private boolean bodyless;

    Http2Requests(LimitsConfig limits) {
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                RequestHead head;
                if (request.decoderResult().isFailure()) {
                    head = RequestHead.malformed(HttpResponseStatus.BAD_REQUEST);
                } else {
                    HttpHeaders headers = request.headers();
                    for (HttpConversionUtil.ExtensionHeaderNames n : HttpConversionUtil.ExtensionHeaderNames.values()) {
                        headers.remove(n.text());
                    }
                    head = RequestHead.of(ctx.alloc(), request, limits.maxUriBytes() + 64, limits.maxHeaderBytes());
                }
                chunked = head.chunked();
                bodyless = !head.hasBody();
                ctx.fireChannelRead(head);
                if (head.problem() != null) {
                    return;
                }
            }
            if (msg instanceof HttpContent piece && !bodyless) {
                ctx.fireChannelRead(body(ctx, piece));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private RequestBody body(ChannelHandlerContext ctx, HttpContent piece) {
        ByteBuf data = piece.content();
        int size = data.readableBytes();
        boolean last = piece instanceof LastHttpContent;
        if (!chunked) {
            return new RequestBody(data.retain(), size, last);
        }
        CompositeByteBuf out = ctx.alloc().compositeBuffer(4);
        if (size > 0) {
            ByteBuf sizeLine = ctx.alloc().buffer(12);
            ByteBufUtil.writeAscii(sizeLine, Integer.toHexString(size));
            sizeLine.writeBytes(CRLF);
            out.addComponents(true, sizeLine, data.retain(), Unpooled.wrappedBuffer(CRLF));
        }
        if (last) {
            // The last chunk, the trailer fields, the blank line.
            HeaderBuilder end = HeaderBuilder.forThisLoop().text('0').end()
                    .lines(((LastHttpContent) piece).trailingHeaders()).end();
            ByteBuf tail = ctx.alloc().buffer(end.length());
            end.writeTo(tail);
            out.addComponent(true, tail);
        }
        return new RequestBody(out, size, last);
    }
}
