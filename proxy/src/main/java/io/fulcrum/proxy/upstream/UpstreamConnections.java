package io.fulcrum.proxy.upstream;

import io.fulcrum.proxy.backend.Backend;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Every event loop's {@link LoopConnections}, made once when the traffic group starts. The request
 * path looks its own loop up (an identity map read, no lock); {@link #closeIdle} reaches every loop.
 */
public final class UpstreamConnections {

    private final Map<EventExecutor, LoopConnections> byLoop = new IdentityHashMap<>();

    public UpstreamConnections(EventLoopGroup group, Transport transport) {
        for (EventExecutor e : group) {
            byLoop.put(e, new LoopConnections((EventLoop) e, transport));
        }
    }

    /** The connections of the loop {@code loop}; call from that loop. */
    public LoopConnections forLoop(EventLoop loop) {
        return byLoop.get(loop);
    }

    /** Closes every connection to {@code backend} on every loop, busy ones too. Any thread. */
    public void closeAll(Backend backend) {
        for (LoopConnections c : byLoop.values()) {
            c.loop().execute(() -> c.closeAll(backend));
        }
    }

    /** Closes idle pooled connections to {@code backend} on every loop. Any thread. */
    public void closeIdle(Backend backend) {
        for (LoopConnections c : byLoop.values()) {
            c.loop().execute(() -> c.closeIdle(backend));
        }
    }
}
