package io.fulcrum.proxy.server;

import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every open client connection of the daemon, across listeners: the {@code max-connections} limit
 * and graceful shutdown need them all. One atomic counter and a concurrent set (a plain set, not a
 * Netty ChannelGroup, whose close listener per channel would cost memory on every idle connection);
 * nothing here is touched per request, only per connection.
 */
public final class ClientConnections {

    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private volatile int limit;
    private volatile boolean shuttingDown;

    public ClientConnections(int limit) {
        this.limit = limit;
    }

    public void limit(int limit) {
        this.limit = limit;
    }

    /** Counts a new connection; false (and not counted) when it is over the limit. */
    boolean open(Channel ch) {
        if (open.incrementAndGet() > limit) {
            open.decrementAndGet();
            return false;
        }
        channels.add(ch);
        return true;
    }

    void closed(Channel ch) {
        channels.remove(ch);
        open.decrementAndGet();
    }

    public int count() {
        return open.get();
    }

    public boolean shuttingDown() {
        return shuttingDown;
    }

    /** From now on every response says Connection: close. Call before the listeners stop accepting. */
    public void stopKeepAlive() {
        shuttingDown = true;
    }

    /**
     * Starts a graceful shutdown: idle connections close now, busy ones after their current response
     * (which then carries Connection: close).
     */
    public void beginShutdown() {
        shuttingDown = true;
        for (Channel ch : channels) {
            ClientHandler h = ch.pipeline().get(ClientHandler.class);
            if (h != null) {
                ch.eventLoop().execute(h::shutdown);
            } else {
                ch.close();
            }
        }
    }

    /** Closes whatever is still open (shutdown grace ran out). */
    public void closeAll() {
        for (Channel ch : channels) {
            ch.close();
        }
    }
}
