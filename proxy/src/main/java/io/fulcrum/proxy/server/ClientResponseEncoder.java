package io.fulcrum.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * The HTTP/1.1 client connection's encoder: Netty's, for Fulcrum's own answers and interim
 * responses, while a {@link ByteBuf} written to it is already HTTP — a forwarded response's head and
 * body as {@link io.fulcrum.proxy.upstream.Exchange} builds them from the backend's bytes — and goes
 * to the socket as it is. (Netty's encoder would refuse bytes outside a message it encoded itself.)
 */
final class ClientResponseEncoder extends HttpResponseEncoder {

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof ByteBuf) {
            ctx.write(msg, promise);
        } else {
            super.write(ctx, msg, promise);
        }
    }
}
