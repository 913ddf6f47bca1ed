package io.fulcrum.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of every client connection, whatever its protocol: counts it against
 * {@code limits.max-connections} (closing it at once above the limit) and in its listener's
 * {@code fulcrum_connections_active}, and tells an HTTP/1.1 {@link ClientHandler} of every read (for
 * client-idle and client-header) without a handler of its own for that.
 */
final class ConnectionGate extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);

    private final ListenerContext listener;
    private boolean counted;
    /** The HTTP/1.1 handler to tell of every read (its timeouts), once it is there. */
    private ClientHandler client;

    ConnectionGate(ListenerContext listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!listener.clients().open(ctx.channel())) {
            log.warn("listener {}: max-connections reached, closing new connection", listener.name());
            ctx.close();
            return;
        }
        counted = true;
        listener.connectionOpened();
        ctx.fireChannelActive();
    }

    void client(ClientHandler client) {
        this.client = client;
    }

    /** Every read, before TLS or HTTP decoding: the connection is alive (client-idle, client-header). */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ClientHandler c = client;
        if (c != null) {
            c.bytesArrived();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            counted = false;
            listener.clients().closed();
            listener.connectionClosed();
        }
        ctx.fireChannelInactive();
    }
}
