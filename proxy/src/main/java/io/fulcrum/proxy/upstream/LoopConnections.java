package io.fulcrum.proxy.upstream;

import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Backend connections of one event loop: it opens them and keeps the idle keep-alive ones, per
 * backend, for reuse (Zuul's {@code Map<EventLoop, Deque<PooledConnection>>}).
 *
 * <p>Threading: every method but construction runs on {@link #loop()}. Client and backend channels
 * of a request share that loop, so acquiring and releasing needs no lock and no thread hop.
 */
public final class LoopConnections {

    /** Idle keep-alive connections kept per backend on one loop; more are closed on release. */
    static final int MAX_IDLE_PER_BACKEND = 256;
    /** An idle pooled connection is closed after this long (below common backend keep-alive timeouts). */
    static final long IDLE_TIMEOUT_SECONDS = 30;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Map<Backend, ArrayDeque<Channel>> idle = new IdentityHashMap<>();

    LoopConnections(EventLoop loop, Transport transport) {
        this.loop = loop;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
    }

    public EventLoop loop() {
        return loop;
    }

    /** The most recently used live idle connection to {@code backend}, or null. */
    Channel poll(Backend backend) {
        ArrayDeque<Channel> q = idle.get(backend);
        if (q == null) {
            return null;
        }
        Channel ch;
        while ((ch = q.pollLast()) != null) {
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    /**
     * Keeps a connection whose exchange finished cleanly for reuse. It is read from while idle so that
     * data or EOF from the backend is noticed (and the connection closed) at once.
     */
    void release(Backend backend, Channel ch) {
        if (!ch.isActive()) {
            ch.close();
            return;
        }
        ArrayDeque<Channel> q = idle.computeIfAbsent(backend, b -> new ArrayDeque<>());
        // A backend being drained, disabled or removed keeps no idle connections: its keep-alive
        // connections end with the response in progress.
        if (q.size() >= MAX_IDLE_PER_BACKEND || backend.isRemoved() || backend.adminState() != AdminState.ACTIVE) {
            ch.close();
            return;
        }
        q.addLast(ch);
        ch.read();
    }

    /** Called when a connection goes inactive, pooled or not. */
    void remove(Backend backend, Channel ch) {
        ArrayDeque<Channel> q = idle.get(backend);
        if (q != null) {
            q.remove(ch);
            if (q.isEmpty()) {
                idle.remove(backend);
            }
        }
    }

    /** Closes every idle connection to {@code backend} (drained or removed). */
    void closeIdle(Backend backend) {
        ArrayDeque<Channel> q = idle.remove(backend);
        if (q != null) {
            for (Channel ch : q.toArray(new Channel[0])) {
                ch.close();
            }
        }
    }

    /** Idle connections held on this loop, all backends. */
    int idleCount() {
        int n = 0;
        for (ArrayDeque<Channel> q : idle.values()) {
            n += q.size();
        }
        return n;
    }

    /** Opens a new connection to {@code backend} on this loop. */
    ChannelFuture connect(Backend backend, int connectTimeoutMillis) {
        LoopConnections self = this;
        return bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Reader-idle is enough (an idle pooled connection is read from, never written), and
                        // unlike writer- or all-idle it does not wrap every write's void promise.
                        ch.pipeline().addLast("idle", new IdleStateHandler(IDLE_TIMEOUT_SECONDS, 0, 0, TimeUnit.SECONDS));
                        // Response heads up to 64 KiB; bodies pass as slices of what was read, up to 64 KiB each.
                        ch.pipeline().addLast("http", new HttpClientCodec(8192, 65536, 65536, false, false));
                        ch.pipeline().addLast("backend", new BackendHandler(self, backend));
                    }
                })
                .connect(backend.socketAddress());
    }
}
