package io.fulcrum.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of every client connection, whatever its protocol: counts it against
 * {@code limits.max-connections} (closing it at once above the limit) and in its listener's
 * {@code fulcrum_connections_active}, then leaves the pipeline. The count drops when the channel's
 * close future completes, so an admitted connection carries no handler (nor its context) for this:
 * one gate per listener, shared by all its connections.
 */
@ChannelHandler.Sharable
final class ConnectionGate extends ChannelInboundHandlerAdapter implements ChannelFutureListener {

    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);

    private final ListenerContext listener;

    ConnectionGate(ListenerContext listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        if (!listener.clients().open(ch)) {
            log.warn("listener {}: max-connections reached, closing new connection", listener.name());
            ctx.close();
            return;
        }
        listener.connectionOpened();
        ch.closeFuture().addListener(this);
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }

    /** The connection closed: it no longer counts. Runs once per admitted connection. */
    @Override
    public void operationComplete(ChannelFuture closed) {
        listener.clients().closed(closed.channel());
        listener.connectionClosed();
    }
}
