package io.fulcrum.proxy.accesslog;

import io.fulcrum.proxy.config.AccessLogConfig;
import io.netty.util.internal.PlatformDependent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one line per request, appended to {@code access-log.path}.
 *
 * <p>The request path never waits on the disk: event loops put an {@link AccessEntry} into a bounded
 * lock-free queue and go on; one writer thread formats and writes. When the queue is full (the disk
 * cannot keep up) entries are dropped and counted, never blocking traffic. The file is reopened on
 * {@link #reopen}, which a reload calls, so {@code logrotate} with a {@code kill -HUP} postrotate works.
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    /** Entries waiting for the writer; about 100 ms of a busy proxy's requests. */
    static final int QUEUE_CAPACITY = 65_536;

    private final Queue<AccessEntry> queue = PlatformDependent.newFixedMpscQueue(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile AccessLogFormat format;
    private volatile Path path;
    private volatile boolean reopen;
    private volatile boolean running = true;

    private AccessLog(AccessLogConfig config) {
        this.format = AccessLogFormat.of(config.format());
        this.path = Path.of(config.path());
        this.writer = new Thread(this::run, "fulcrum-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** The access log of {@code config}, or null when it is off ({@code path = ""}). */
    public static AccessLog open(AccessLogConfig config) {
        return config.path().isEmpty() ? null : new AccessLog(config);
    }

    /** Records a request. Any thread, never blocks. */
    public void record(AccessEntry entry) {
        if (!queue.offer(entry)) {
            dropped.incrementAndGet();
        }
        LockSupport.unpark(writer);
    }

    /** Entries dropped because the writer could not keep up. */
    public long dropped() {
        return dropped.get();
    }

    /** Reopens the file (after rotation) with the given settings; the path may change. */
    public void reopen(AccessLogConfig config) {
        if (!config.path().isEmpty()) {
            format = AccessLogFormat.of(config.format());
            path = Path.of(config.path());
        }
        reopen = true;
        LockSupport.unpark(writer);
    }

    private void run() {
        BufferedWriter out = null;
        while (running || !queue.isEmpty()) {
            try {
                if (out == null || reopen) {
                    reopen = false;
                    if (out != null) {
                        out.close();
                    }
                    out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                }
                AccessEntry e = queue.poll();
                if (e == null) {
                    out.flush();
                    LockSupport.parkNanos(this, 50_000_000L);
                    continue;
                }
                out.write(format.format(e));
                out.write('\n');
            } catch (IOException ex) {
                log.error("access log {}: {}; retrying in a second", path, ex.getMessage());
                out = null;
                LockSupport.parkNanos(this, 1_000_000_000L);
            }
        }
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // closing at shutdown: nothing more to do
            }
        }
    }

    /** Writes what is queued and stops. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
