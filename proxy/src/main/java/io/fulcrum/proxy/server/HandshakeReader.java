package io.fulcrum.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Keeps reading while the TLS handshake runs on a connection that does not auto-read: every time a
 * read produced nothing for the handlers behind TLS, it asks for more. Removed once ALPN has chosen
 * the protocol and the real pipeline takes over reading.
 */
final class HandshakeReader extends ChannelInboundHandlerAdapter {

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelReadComplete();
    }
}
