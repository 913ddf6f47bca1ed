package io.fulcrum.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool's own idle eviction, on real loopback connections: a pooled connection unused past the
 * limit is closed (by the sweep, or refused by {@code poll}), a fresh one is reused, and one the backend
 * closes while pooled leaves the pool. Time is a test ticker, except in the one test that lets the
 * real timer fire with a short limit.
 */
class LoopConnectionsIdleTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Transport transport = Transport.best();
    private EventLoopGroup group;
    private EventLoopGroup serverGroup;
    private Channel server;
    /** The server side of every accepted connection, in order. */
    private final LinkedBlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private Backend backend;
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);

    @BeforeEach
    void setUp() throws Exception {
        group = transport.newGroup(1, "test-client");
        serverGroup = transport.newGroup(1, "test-server");
        InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 0);
        server = new ServerBootstrap()
                .group(serverGroup)
                .channelFactory(transport.serverChannelFor(listen))
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.add(ctx.channel());
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                    }
                })
                .bind(listen).sync().channel();
        InetSocketAddress addr = (InetSocketAddress) server.localAddress();
        backend = new Backend(new HostPort("127.0.0.1", addr.getPort()), addr, 100, Backend.Source.CONFIG,
                HealthStatus.UP);
    }

    @AfterEach
    void tearDown() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private EventLoop loop() {
        return group.next();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop().submit(task).get(5, TimeUnit.SECONDS);
    }

    /** A new connection through the pool's own bootstrap, so its pipeline is the real one. */
    private BackendHandler connect(LoopConnections pool) throws Exception {
        Channel ch = onLoop(() -> pool.connect(backend, 2000)).sync().channel();
        return ch.pipeline().get(BackendHandler.class);
    }

    private LoopConnections fakeClockPool(long idleTimeoutNanos) {
        return new LoopConnections(loop(), transport, idleTimeoutNanos, 0, now::get);
    }

    @Test
    void aConnectionReleasedRecentlyIsReused() throws Exception {
        LoopConnections pool = fakeClockPool(30 * SECOND);
        BackendHandler h = connect(pool);
        onLoop(() -> {
            pool.release(backend, h);
            return null;
        });
        now.addAndGet(29 * SECOND);
        assertSame(h, onLoop(() -> pool.poll(backend)));
        assertTrue(h.channel().isActive());
        assertEquals(0, (int) onLoop(pool::idleCount));
        h.channel().close().sync();
    }

    @Test
    void pollClosesAConnectionIdlePastTheLimitAndEveryOlderOne() throws Exception {
        LoopConnections pool = fakeClockPool(30 * SECOND);
        BackendHandler older = connect(pool);
        BackendHandler newer = connect(pool);
        onLoop(() -> {
            pool.release(backend, older);
            return null;
        });
        now.addAndGet(5 * SECOND);
        onLoop(() -> {
            pool.release(backend, newer);
            return null;
        });
        now.addAndGet(30 * SECOND);
        assertNull(onLoop(() -> pool.poll(backend)));
        assertTrue(newer.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertTrue(older.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals(0, (int) onLoop(pool::idleCount));
    }

    @Test
    void theSweepClosesOnlyWhatOutlivedTheLimit() throws Exception {
        LoopConnections pool = fakeClockPool(30 * SECOND);
        BackendHandler first = connect(pool);
        BackendHandler second = connect(pool);
        onLoop(() -> {
            pool.release(backend, first);
            return null;
        });
        now.addAndGet(10 * SECOND);
        onLoop(() -> {
            pool.release(backend, second);
            return null;
        });
        now.addAndGet(21 * SECOND);                 // first idle 31 s, second 21 s
        onLoop(() -> {
            pool.sweep();
            return null;
        });
        assertTrue(first.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertTrue(second.channel().isActive());
        assertEquals(1, (int) onLoop(pool::idleCount));
        now.addAndGet(10 * SECOND);                 // second idle 31 s
        onLoop(() -> {
            pool.sweep();
            return null;
        });
        assertTrue(second.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals(0, (int) onLoop(pool::idleCount));
    }

    @Test
    void theTimerClosesAnIdleConnectionOnItsOwn() throws Exception {
        long limit = TimeUnit.MILLISECONDS.toNanos(150);
        LoopConnections pool = new LoopConnections(loop(), transport, limit, TimeUnit.MILLISECONDS.toNanos(10),
                System::nanoTime);
        BackendHandler h = connect(pool);
        Channel serverSide = accepted.poll(5, TimeUnit.SECONDS);
        long released = onLoop(() -> {
            pool.release(backend, h);
            return System.nanoTime();
        });
        assertTrue(h.channel().closeFuture().await(5, TimeUnit.SECONDS), "idle connection not closed");
        assertTrue(System.nanoTime() - released >= limit, "closed before the idle limit");
        assertTrue(serverSide.closeFuture().await(5, TimeUnit.SECONDS), "the backend did not see the close");
        assertEquals(0, (int) onLoop(pool::idleCount));
    }

    @Test
    void aConnectionTheBackendClosesWhilePooledLeavesThePool() throws Exception {
        LoopConnections pool = fakeClockPool(30 * SECOND);
        BackendHandler h = connect(pool);
        Channel serverSide = accepted.poll(5, TimeUnit.SECONDS);
        onLoop(() -> {
            pool.release(backend, h);
            return null;
        });
        assertEquals(1, (int) onLoop(pool::idleCount));
        serverSide.close().sync();
        assertTrue(h.channel().closeFuture().await(5, TimeUnit.SECONDS));
        // channelInactive runs in a loop task queued just after the close future completes: poll for it.
        long deadline = System.nanoTime() + 5 * SECOND;
        while (onLoop(pool::idleCount) != 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, (int) onLoop(pool::idleCount));
        assertNull(onLoop(() -> pool.poll(backend)));
        assertEquals(0, backend.stats().activeConnections());
    }

    @Test
    void aConnectionOnWhichPartOfAHeadArrivedWhilePooledIsNotReused() throws Exception {
        LoopConnections pool = fakeClockPool(30 * SECOND);
        BackendHandler h = connect(pool);
        Channel serverSide = accepted.poll(5, TimeUnit.SECONDS);
        onLoop(() -> {
            pool.release(backend, h);
            return null;
        });
        // Too little for the parser to pass anything on: the connection stays pooled, holding half a head.
        serverSide.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Le", StandardCharsets.US_ASCII))
                .sync();
        long deadline = System.nanoTime() + 5 * SECOND;
        while (onLoop(h::reusable) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertFalse(onLoop(h::reusable), "the parser holds part of a head");
        assertEquals(1, (int) onLoop(pool::idleCount));
        assertNull(onLoop(() -> pool.poll(backend)), "a connection with unasked-for bytes is not handed out");
        assertTrue(h.channel().closeFuture().await(5, TimeUnit.SECONDS));
    }
}
