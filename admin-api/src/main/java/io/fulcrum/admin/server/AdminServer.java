package io.fulcrum.admin.server;

import io.fulcrum.admin.AdminService;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin REST server (SPEC section 7): its own small Netty HTTP/1.1 server on {@code admin.bind},
 * with its own one-thread event loop group (never a traffic listener's), and one worker thread on
 * which every {@link AdminService} call runs, one at a time.
 *
 * <p>Every path but {@code /healthz} needs {@code Authorization: Bearer <token>} when a token is
 * configured. Without a token the server starts only on a loopback address, where it is open to
 * local users.
 *
 * <p>Threading: {@link #start} and {@link #close} may be called from any thread (they block until
 * the socket is bound or released); {@link #localAddress} from any thread.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    /** Admin bodies are small JSON objects; anything larger is a 413. */
    static final int MAX_BODY_BYTES = 1024 * 1024;
    /** Pending admin calls beyond this are answered 503 instead of piling up behind a slow one. */
    static final int MAX_QUEUED_CALLS = 64;
    private static final int IDLE_SECONDS = 60;
    /** The one thread every {@link AdminService} call runs on. */
    public static final String WORKER_THREAD = "fulcrum-admin-worker";

    private final EventLoopGroup group;
    private final ExecutorService worker;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, ExecutorService worker, Channel channel) {
        this.group = group;
        this.worker = worker;
        this.channel = channel;
    }

    /**
     * Binds and starts serving.
     *
     * @param bind    where to listen; port 0 picks a free port (see {@link #localAddress})
     * @param token   the admin token (from {@code admin.token}, the environment or {@code admin.token-file});
     *                empty: no auth, allowed only on a loopback address
     * @param service the daemon
     * @throws AdminStartException on a non-loopback bind without a token, or when binding fails
     */
    public static AdminServer start(InetSocketAddress bind, Optional<String> token, AdminService service) {
        Objects.requireNonNull(service, "service");
        Optional<BearerToken> bearer = token.filter(t -> !t.isBlank()).map(BearerToken::new);
        if (bearer.isEmpty() && !isLoopback(bind)) {
            throw new AdminStartException("refusing to start the admin API on " + describe(bind)
                    + " without a token: it is not a loopback address. Set admin.token (or FULCRUM_ADMIN_TOKEN, "
                    + "or admin.token-file), or bind admin.bind to 127.0.0.1");
        }
        ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED_CALLS), runnable -> {
                    Thread t = new Thread(runnable, WORKER_THREAD);
                    t.setDaemon(true);
                    return t;
                });
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fulcrum-admin", true),
                NioIoHandler.newFactory());
        AdminDispatcher dispatcher = new AdminDispatcher(service, worker);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new JsonLimitAggregator(MAX_BODY_BYTES))
                                .addLast(new AdminHttpHandler(bearer, dispatcher));
                    }
                });
        ChannelFuture bound = b.bind(bind).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            worker.shutdownNow();
            throw new AdminStartException("cannot bind the admin API to " + describe(bind) + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        AdminServer server = new AdminServer(group, worker, bound.channel());
        LOG.info("admin API listening on {}{}", describe(server.localAddress()),
                bearer.isPresent() ? " (bearer token required)" : " (no token: loopback only)");
        return server;
    }

    /** The address actually bound (the real port when started on port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Stops listening, closes admin connections (a pending drain wait gets no answer; the drain
     * itself goes on in the daemon) and stops the worker after its current call.
     */
    @Override
    public void close() {
        // Bounded waits: a stop must never hang on a loop that is already gone.
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    static boolean isLoopback(InetSocketAddress bind) {
        InetAddress address = bind.getAddress();
        if (address == null) {
            try {
                // An unresolved name such as "localhost": loopback only if every address it has is.
                InetAddress[] all = InetAddress.getAllByName(bind.getHostString());
                for (InetAddress a : all) {
                    if (!a.isLoopbackAddress()) {
                        return false;
                    }
                }
                return all.length > 0;
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return address.isLoopbackAddress();
    }

    private static String describe(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
