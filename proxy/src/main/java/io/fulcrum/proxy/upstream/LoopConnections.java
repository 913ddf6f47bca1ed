package io.fulcrum.proxy.upstream;

import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.clock.ReadClock;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.fulcrum.proxy.http1.ResponseParser;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Backend connections of one event loop: it opens them and keeps the idle keep-alive ones, per
 * backend, for reuse (Zuul's {@code Map<EventLoop, Deque<PooledConnection>>}).
 *
 * <p>Idle eviction is the pool's own job, not a handler's: each pooled connection remembers when it
 * went idle, and one timer per loop (armed only while something is pooled) closes those idle longer
 * than the limit; {@link #poll} also refuses one that outlived it. A per-connection
 * {@code IdleStateHandler} would cost a pipeline hop and a clock read on every read and write of every
 * request, and a timer per connection, for an event that only matters while the connection is unused.
 *
 * <p>Threading: every method but construction runs on {@link #loop()}. Client and backend channels
 * of a request share that loop, so acquiring and releasing needs no lock and no thread hop.
 */
public final class LoopConnections {

    /** Idle keep-alive connections kept per backend on one loop; more are closed on release. */
    static final int MAX_IDLE_PER_BACKEND = 256;
    /** An idle pooled connection is closed after this long (below common backend keep-alive timeouts). */
    static final long IDLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    /**
     * The sweep runs at most this often: connections that expire within this much of each other are
     * closed by one run, so the loop wakes up rarely however many connections go idle at staggered times.
     */
    private static final long SWEEP_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Read buffers of backend connections: small answers get small buffers, large ones up to 128 KiB. */
    private static final int MIN_READ_BUFFER = 512;
    private static final int INITIAL_READ_BUFFER = 16 * 1024;
    private static final int MAX_READ_BUFFER = 128 * 1024;
    /** At most this much is read from a backend before the client's writability is looked at again. */
    private static final int MAX_READ_BATCH = 256 * 1024;

    /** A backend's response head may be this long (Netty's codec allowed the same). */
    static final int MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

    private final EventLoop loop;
    private final Transport transport;
    private final Bootstrap bootstrap;
    private final long idleTimeoutNanos;
    private final long sweepSlackNanos;
    private final LongSupplier ticker;
    /** Per backend, idle connections oldest first: the head expires first, the tail is reused first. */
    private final Map<Backend, ArrayDeque<BackendHandler>> idle = new IdentityHashMap<>();
    /** Every open connection, busy or idle, so that a forced removal can cut them all. */
    private final Map<Backend, Set<Channel>> open = new IdentityHashMap<>();
    /** The pending eviction sweep, or null when none is armed (nothing pooled, or just ran). */
    private ScheduledFuture<?> sweep;
    private final Runnable sweepTask = this::sweep;

    LoopConnections(EventLoop loop, Transport transport) {
        this(loop, transport, IDLE_TIMEOUT_NANOS, SWEEP_SLACK_NANOS, ReadClock::now);
    }

    /**
     * @param idleTimeoutNanos how long a connection may sit unused in the pool
     * @param sweepSlackNanos  how late past its expiry a connection may be closed, at most (batches sweeps)
     * @param ticker           monotonic nanoseconds, {@link ReadClock#now} but in tests
     */
    LoopConnections(EventLoop loop, Transport transport, long idleTimeoutNanos, long sweepSlackNanos,
                    LongSupplier ticker) {
        this.loop = loop;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.sweepSlackNanos = sweepSlackNanos;
        this.ticker = ticker;
        this.transport = transport;
        // The channel factory is chosen per connection, by the backend's address family (connect).
        this.bootstrap = new Bootstrap()
                .group(loop)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, transport.allocator())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new ReadBatching(
                        MIN_READ_BUFFER, INITIAL_READ_BUFFER, MAX_READ_BUFFER, MAX_READ_BATCH));
    }

    public EventLoop loop() {
        return loop;
    }

    /**
     * The most recently used live idle connection to {@code backend}, or null. One that sat idle past
     * the limit is closed instead (and then so are all older ones, which the sweep has not reached yet).
     */
    BackendHandler poll(Backend backend) {
        ArrayDeque<BackendHandler> q = idle.get(backend);
        if (q == null) {
            return null;
        }
        BackendHandler h;
        while ((h = q.pollLast()) != null) {
            Channel ch = h.channel();
            if (!ch.isActive()) {
                continue;
            }
            if (!h.reusable()) {
                // Part of a response head arrived while it sat idle: nobody asked for it.
                ch.close();
                continue;
            }
            if (ticker.getAsLong() - h.idleSince() >= idleTimeoutNanos) {
                ch.close();
                closeQueued(q);
                break;
            }
            // An emptied queue stays in the map: the connection comes back with the response, and
            // a new deque per request would be garbage on the hot path.
            return h;
        }
        return null;
    }

    /**
     * Keeps a connection whose exchange finished cleanly for reuse. It is read from while idle so that
     * data or EOF from the backend is noticed (and the connection closed) at once.
     */
    void release(Backend backend, BackendHandler h) {
        Channel ch = h.channel();
        if (!ch.isActive()) {
            ch.close();
            return;
        }
        // A backend being drained, disabled or removed keeps no idle connections: its keep-alive
        // connections end with the response in progress.
        if (backend.isRemoved() || backend.adminState() != AdminState.ACTIVE) {
            ch.close();
            return;
        }
        ArrayDeque<BackendHandler> q = idle.get(backend);
        if (q == null) {
            q = new ArrayDeque<>();
            idle.put(backend, q);
        } else if (q.size() >= MAX_IDLE_PER_BACKEND) {
            ch.close();
            return;
        }
        long now = ticker.getAsLong();
        h.idleSince(now);
        q.addLast(h);
        if (sweep == null) {
            armSweep(now + idleTimeoutNanos, now);
        }
        ch.read();
    }

    /** Called when a connection to {@code backend} becomes active. */
    void opened(Backend backend, Channel ch) {
        open.computeIfAbsent(backend, b -> new HashSet<>()).add(ch);
    }

    /** Closes every connection to {@code backend}, requests in flight included (a forced removal). */
    void closeAll(Backend backend) {
        closeIdle(backend);
        Set<Channel> all = open.remove(backend);
        if (all != null) {
            for (Channel ch : all.toArray(new Channel[0])) {
                ch.close();
            }
        }
    }

    /** Called when a connection goes inactive, pooled or not (or leaves the pool's care, as a tunnel). */
    void remove(Backend backend, Channel ch) {
        Set<Channel> all = open.get(backend);
        if (all != null) {
            all.remove(ch);
            if (all.isEmpty()) {
                open.remove(backend);
            }
        }
        ArrayDeque<BackendHandler> q = idle.get(backend);
        if (q != null) {
            q.removeIf(h -> h.channel() == ch);
            if (q.isEmpty()) {
                idle.remove(backend);
            }
        }
    }

    /** Closes every idle connection to {@code backend} (drained or removed). */
    void closeIdle(Backend backend) {
        ArrayDeque<BackendHandler> q = idle.remove(backend);
        if (q != null) {
            closeQueued(q);
        }
    }

    private static void closeQueued(ArrayDeque<BackendHandler> q) {
        // Closing runs channelInactive, which calls remove() and may touch q: take everything out first.
        BackendHandler[] all = q.toArray(new BackendHandler[0]);
        q.clear();
        for (BackendHandler h : all) {
            h.channel().close();
        }
    }

    /** Idle connections held on this loop, all backends. */
    int idleCount() {
        int n = 0;
        for (ArrayDeque<BackendHandler> q : idle.values()) {
            n += q.size();
        }
        return n;
    }

    /**
     * Closes the connections idle past the limit, then re-arms for the next one to expire (if any is
     * still pooled). Each queue is oldest first, so a sweep looks only at what it closes and at one more
     * per backend. Package-private so that tests can run it at a time of their choosing.
     */
    void sweep() {
        sweep = null;
        long now = ticker.getAsLong();
        long next = Long.MAX_VALUE;
        Iterator<Map.Entry<Backend, ArrayDeque<BackendHandler>>> it = idle.entrySet().iterator();
        java.util.List<Channel> expired = null;
        while (it.hasNext()) {
            ArrayDeque<BackendHandler> q = it.next().getValue();
            BackendHandler h;
            while ((h = q.peekFirst()) != null && now - h.idleSince() >= idleTimeoutNanos) {
                q.pollFirst();
                if (expired == null) {
                    expired = new java.util.ArrayList<>();
                }
                expired.add(h.channel());
            }
            if (h == null) {
                it.remove();
            } else {
                next = Math.min(next, h.idleSince() + idleTimeoutNanos);
            }
        }
        // Closed after the walk: a close may run channelInactive -> remove() against these maps.
        if (expired != null) {
            for (Channel ch : expired) {
                ch.close();
            }
        }
        if (next != Long.MAX_VALUE) {
            armSweep(next, now);
        }
    }

    private void armSweep(long dueAt, long now) {
        long delay = Math.max(dueAt - now, 0) + sweepSlackNanos;
        sweep = loop.schedule(sweepTask, delay, TimeUnit.NANOSECONDS);
    }

    /** Opens a new connection to {@code backend} on this loop. */
    ChannelFuture connect(Backend backend, int connectTimeoutMillis) {
        LoopConnections self = this;
        return bootstrap.clone()
                .channelFactory(transport.socketChannelFor(backend.socketAddress()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Requests go out as the bytes the exchange wrote (no encoder); responses are read by
                        // Fulcrum's own parser (heads up to 64 KiB), whose body pieces are slices of what was read.
                        ch.pipeline().addLast("http-in", new ResponseParser(MAX_RESPONSE_HEAD_BYTES));
                        ch.pipeline().addLast("backend", new BackendHandler(self, backend));
                    }
                })
                .connect(backend.socketAddress());
    }
}
