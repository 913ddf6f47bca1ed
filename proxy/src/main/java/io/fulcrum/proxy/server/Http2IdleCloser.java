package io.fulcrum.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * client-idle for HTTP/2 connections: when nothing was read for that long and no stream is open, the
 * connection is closed (the HTTP/2 codec sends GOAWAY first). Streams in progress keep it open; each is
 * bounded by its own exchange's timeouts. HTTP/1.1 connections keep client-idle in ClientHandler.
 */
final class Http2IdleCloser extends ChannelInboundHandlerAdapter {

    private final Http2ConnectionHandler codec;

    Http2IdleCloser(Http2ConnectionHandler codec) {
        this.codec = codec;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (codec.connection().numActiveStreams() == 0) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
