package io.fulcrum.proxy.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * The I/O transport: Linux's native epoll when it loads, Java NIO otherwise. Client and backend
 * channels of one request share an event loop, so both must be of the same transport.
 */
public final class Transport {

    private static final RecvByteBufAllocator CLIENT_READS = new ReadBatching(64, 2048, 64 * 1024, 0);

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
     * The buffer allocator of every client and backend channel: Netty's default, the same instance the
     * health checker and the admin API use. In Netty 4.2 that is the adaptive allocator. Against the
     * pooled one (bench/README.md): the event loop's user time per request at the paced load was lower
     * with the adaptive one in two interleaved A/B series of 2026-12-01 (8.4 against 9.1 us, lower in 7
     * rounds of 8; 9.0 against 9.3) and with the pooled one in one of two series of 2026-12-02 (8.2
     * against 9.0, 7 rounds of 10; then 9.0 against 9.1, 4 of 8): within this machine's noise. Per idle
     * connection the two left the same memory. {@code -Dio.netty.allocator.type=pooled} picks the pooled
     * allocator.
     */
    public ByteBufAllocator allocator() {
        return ByteBufAllocator.DEFAULT;
    }

    /**
     * How client connections read: one buffer per {@code read()} (they do not auto-read; the next read
     * is asked for when the connection can take another request), sized as Netty's default does (64 B to
     * 64 KiB, starting at 2 KiB). One instance for all: the default gives every channel an allocator
     * object of its own. A {@link ReadBatching} like the backend connections', for the JIT's sake (see
     * there).
     */
    public RecvByteBufAllocator clientReads() {
        return CLIENT_READS;
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    /** @param threads 0 = one per CPU core */
    public EventLoopGroup newGroup(int threads, String name) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(name, true), ioHandlerFactory());
    }

    /** The I/O handler of an event loop of this transport (for a group made elsewhere: the health checker's). */
    public IoHandlerFactory ioHandlerFactory() {
        return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /**
     * The client channel class, for a bootstrap that connects to addresses of either family (the health
     * checker's); dual-stack sockets with epoll.
     */
    public Class<? extends SocketChannel> socketChannel() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Listening sockets for {@code local}: with epoll, an IPv4 socket when the address is IPv4 (and the
     * connections it accepts are IPv4 sockets too), as HAProxy and NGINX open them. Netty's epoll
     * transport otherwise opens every socket as a dual-stack IPv6 one, and each send and receive then
     * enters the kernel's TCP code through its IPv6 socket layer. What that cost was small: in perf
     * profiles of the proxy's core at full speed the socket-layer entry points took 0.17 us per proxied
     * request with IPv6 sockets and 0.13 with IPv4 ones, of about 20 (bench/README.md, 2026-12-03
     * from 20:31); the kernel lists the sockets where an operator looks for IPv4 ones (ss -4).
     */
    public ChannelFactory<? extends ServerChannel> serverChannelFor(InetSocketAddress local) {
        if (epoll && local.getAddress() instanceof Inet4Address) {
            return () -> new EpollServerSocketChannel(SocketProtocolFamily.INET);
        }
        return epoll ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
    }

    /** Connections to {@code remote}: an IPv4 socket for an IPv4 address, as {@link #serverChannelFor}. */
    public ChannelFactory<? extends SocketChannel> socketChannelFor(InetSocketAddress remote) {
        if (epoll && remote.getAddress() instanceof Inet4Address) {
            return () -> new EpollSocketChannel(SocketProtocolFamily.INET);
        }
        return epoll ? EpollSocketChannel::new : NioSocketChannel::new;
    }
}
