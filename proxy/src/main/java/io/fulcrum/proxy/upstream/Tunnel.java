package io.fulcrum.proxy.upstream;

import io.fulcrum.proxy.backend.Backend;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;

/**
 * After a backend answered {@code 101 Switching Protocols} (WebSocket and any other {@code Upgrade}),
 * the client and backend connections stop speaking HTTP: their HTTP handlers are removed and the
 * bytes are relayed as they are, each way, with Netty's proxy backpressure (the next read only after
 * the last write went out). When either side closes, the other is closed once its writes are flushed.
 */
public final class Tunnel {

    private Tunnel() {
    }

    /**
     * Joins the two connections. Call on their (shared) event loop, once the 101 was written to the client.
     *
     * @param clientHandlers names of the client pipeline's HTTP handlers to remove
     */
    public static void join(Channel client, Channel backend, Backend target, String... clientHandlers) {
        removeAll(client.pipeline(), clientHandlers);
        removeAll(backend.pipeline(), "http-in", "backend");
        client.pipeline().addLast("tunnel", new Relay(backend, null));
        backend.pipeline().addLast("tunnel", new Relay(client, target));
    }

    private static void removeAll(ChannelPipeline p, String... names) {
        for (String name : names) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
    }

    /** Writes what one side reads to the other. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        /** Set on the backend side: its connection count drops when the tunnel ends. */
        private final Backend backend;

        Relay(Channel peer, Backend backend) {
            this.peer = peer;
            this.backend = backend;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.read();
                } else {
                    f.channel().close();
                    ctx.close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (backend != null) {
                backend.stats().connectionClosed();
            }
            if (peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
