package io.fulcrum.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Promise;

/** The tcp probe: a connect within the timeout passes; the connection is closed at once. Checker loop only. */
final class TcpProbe {

    private TcpProbe() {
    }

    static void start(Bootstrap template, HealthTarget target, Promise<ProbeResult> result) {
        Bootstrap b = template.clone().handler(new ChannelInboundHandlerAdapter());
        b.connect(target.address()).addListener((ChannelFutureListener) f -> {
            Channel ch = f.channel();
            if (f.isSuccess()) {
                ch.close();
                result.trySuccess(new ProbeResult(true, "connected", null));
            } else {
                result.trySuccess(ProbeResult.fail("connect failed: " + f.cause().getMessage()));
            }
        });
    }
}
