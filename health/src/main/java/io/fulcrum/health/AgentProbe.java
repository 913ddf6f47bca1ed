package io.fulcrum.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;

/**
 * HAProxy's agent check: connect to the agent port on the target's host, read one line (the agent
 * writes it and usually closes), close. The promise completes with the line, without its end of line,
 * or with null when the agent was unreachable or said nothing: as in HAProxy, failing to reach the
 * agent is not a health failure (the regular probe tests connectivity). Checker loop only.
 */
final class AgentProbe {

    /** A reply longer than this is cut there and then parsed (and most likely found malformed). */
    static final int MAX_LINE = 512;

    private AgentProbe() {
    }

    static void start(Bootstrap template, HealthTarget target, int port, Promise<String> result) {
        InetSocketAddress agent = new InetSocketAddress(target.address().getAddress(), port);
        Bootstrap b = template.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new LineReader(result));
            }
        });
        b.connect(agent).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                result.trySuccess(null);
            } else {
                result.addListener(r -> f.channel().close());
            }
        });
    }

    private static final class LineReader extends ChannelInboundHandlerAdapter {
        private final Promise<String> result;
        private final StringBuilder line = new StringBuilder();

        LineReader(Promise<String> result) {
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                while (buf.isReadable() && !result.isDone()) {
                    char c = (char) (buf.readByte() & 0xff);
                    if (c == '\n' || line.length() >= MAX_LINE) {
                        complete();
                    } else if (c != '\r') {
                        line.append(c);
                    }
                }
            } finally {
                buf.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            complete(); // the agent closed without an end of line: take what it sent
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.trySuccess(null);
            ctx.close();
        }

        private void complete() {
            result.trySuccess(line.length() == 0 ? null : line.toString());
        }
    }
}
