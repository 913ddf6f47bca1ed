package io.fulcrum.proxy.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The I/O transport: Linux's native epoll when it loads, Java NIO otherwise. Client and backend
 * channels of one request share an event loop, so both must be of the same transport.
 */
public final class Transport {

    private final boolean epoll;

    private Transport(boolean epoll) {
        this.epoll = epoll;
    }

    /** Epoll when available, unless {@code -Dfulcrum.transport=nio} asks for NIO. */
    public static Transport best() {
        boolean wantNio = "nio".equals(System.getProperty("fulcrum.transport"));
        return new Transport(!wantNio && Epoll.isAvailable());
    }

    /**
     * The buffer allocator of every client and backend channel: Netty's pooled allocator.
     *
     * <p>Netty 4.2's default, the adaptive allocator, was measured against it (bench/README.md): the
     * event loop's user time per request was about 8 % lower at the paced load, but 5,000 idle keep-alive
     * connections that had each served one request left 0.8 KiB more resident memory per connection
     * (2.54 KiB against 1.74), over issue 7's 2 KiB limit.
     */
    public ByteBufAllocator allocator() {
        return PooledByteBufAllocator.DEFAULT;
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    /** @param threads 0 = one per CPU core */
    public EventLoopGroup newGroup(int threads, String name) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(name, true), factory);
    }

    public Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
