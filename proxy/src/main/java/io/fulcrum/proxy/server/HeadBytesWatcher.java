package io.fulcrum.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the HTTP decoder and tells the {@link ClientHandler} when raw bytes arrive, so that
 * the client-header timeout starts with the first byte of a request rather than with the idle gap
 * before it (an idle keep-alive connection is client-idle's business, not a slow request).
 */
final class HeadBytesWatcher extends ChannelInboundHandlerAdapter {

    private final ClientHandler client;

    HeadBytesWatcher(ClientHandler client) {
        this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        client.bytesArrived();
        ctx.fireChannelRead(msg);
    }
}
