package io.fulcrum.health;

import io.fulcrum.health.report.AgentReply;
import io.fulcrum.health.report.AgentReplyParser;
import io.fulcrum.health.report.AgentState;
import io.fulcrum.health.report.LoadReport;
import io.fulcrum.health.report.LoadReportParser;
import io.fulcrum.health.report.MalformedReportException;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks for a set of targets, on a small event loop group of its own (one thread: Java NIO,
 * or the transport the proxy passes in), so probes never run on, or wait for, the request path.
 *
 * <p>Each target is probed every {@code interval} ± 10 % (the first probe at a random point of the first
 * interval, so that targets registered together do not probe in lockstep). An http or tcp probe feeds a
 * {@link RiseFallState}; an {@code agent-port} adds HAProxy's agent check beside it. The listener hears of
 * transitions only, plus every load report and agent reply.
 *
 * <p>Threading: every public method may be called from any thread and never blocks, except
 * {@link #close()}. Changes are handed to the checker's loop, where all per-target state lives;
 * {@link #status} reads a volatile copy. Listener methods run on the checker's loop.
 */
public final class HealthChecker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    /** At most one malformed-report log line per target per this long; the counter counts them all. */
    static final long MALFORMED_LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /**
     * The checker's thread runs at this Linux nice value, so that a probe's burst of CPU yields to the
     * event loops. Paced load with the checker's thread on the proxy's core (bench/README.md, 2026-12-02
     * afternoon): of the 20 ms stretches with a request over 1 ms, those within a probe's 30 ms went from
     * 7-10 a run at nice 0 to 1-5 at 10 (3 at 19, 4-8 at 4). At 10 it still gets a tenth of a core that
     * one busy event loop holds, so probes stay well within their timeout on a saturated machine.
     */
    static final int PROBE_NICE = 10;

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap template;
    private final Random random;
    private final Map<String, ProbedTarget> targets = new ConcurrentHashMap<>();
    private final LongAdder malformedReports = new LongAdder();
    private volatile boolean closed;

    /** A checker with a randomly seeded jitter source. */
    public HealthChecker() {
        this(new Random());
    }

    /** @param jitter source of probe jitter; pass a seeded one for reproducible probe spreading in tests */
    public HealthChecker(Random jitter) {
        this(jitter, NioIoHandler.newFactory(), NioSocketChannel.class);
    }

    /**
     * A checker whose probes use the given transport: the proxy passes its own (native epoll on Linux),
     * with which a probe costs 20-40 % less CPU than with Java NIO (BackendHealth says how much).
     *
     * @param io      the I/O handler of the checker's one thread
     * @param channel the socket channel class that goes with it
     */
    public HealthChecker(Random jitter, IoHandlerFactory io, Class<? extends Channel> channel) {
        this.random = jitter;
        this.group = new MultiThreadIoEventLoopGroup(1, new NiceThreadFactory("fulcrum-health", PROBE_NICE), io);
        this.loop = group.next();
        this.template = new Bootstrap().group(loop).channel(channel).option(ChannelOption.TCP_NODELAY, true);
    }

    /**
     * Starts probing a target. Any thread.
     *
     * @throws IllegalArgumentException when a target with this id is already registered
     * @throws IllegalStateException    after {@link #close()}
     */
    public void register(HealthTarget target) {
        checkOpen();
        ProbedTarget t = new ProbedTarget(target);
        if (targets.putIfAbsent(target.id(), t) != null) {
            throw new IllegalArgumentException("health target already registered: " + target.id());
        }
        loop.execute(() -> schedule(t, firstDelay(t.settings)));
    }

    /** Stops probing a target and forgets its state. Any thread. Returns false when it was not registered. */
    public boolean unregister(String id) {
        ProbedTarget t = targets.remove(id);
        if (t == null) {
            return false;
        }
        onLoop(() -> {
            t.removed = true;
            t.generation++;
            cancel(t);
            t.closeHttpProbe();
        });
        return true;
    }

    /**
     * New probe settings for a registered target (a reload). Its status and rise/fall runs are kept; the
     * next probe is re-spread within the new interval. Any thread. Returns false when not registered.
     */
    public boolean update(String id, ProbeSettings settings) {
        ProbedTarget t = targets.get(id);
        if (t == null) {
            return false;
        }
        onLoop(() -> {
            if (t.removed) {
                return;
            }
            t.settings = settings;
            t.generation++; // results of probes started under the old settings are dropped
            if (settings.type() != ProbeType.HTTP) {
                t.closeHttpProbe(); // no longer probed over http: its kept-alive connection goes
            }
            if (t.nextTick != null) {
                t.nextTick.cancel(false); // an ejection's end (type none) stays scheduled
            }
            schedule(t, firstDelay(settings));
        });
        return true;
    }

    /**
     * Passive outlier ejection: the target goes DOWN now, and comes back only after {@code rise} probe
     * passes that all happen after {@code duration} has elapsed. A target with probe type {@code none}
     * comes back to its status of before when the time is up, since nothing would probe it back.
     * Any thread (the request path calls it when an {@code OutlierTracker} says so). Returns false when
     * not registered.
     */
    public boolean eject(String id, Duration duration) {
        ProbedTarget t = targets.get(id);
        if (t == null) {
            return false;
        }
        onLoop(() -> {
            if (t.removed) {
                return;
            }
            HealthStatus before = t.state.status();
            t.state.eject(System.nanoTime(), duration.toNanos());
            log.warn("backend {} ejected for {} ms (outlier detection)", t.id(), duration.toMillis());
            if (t.settings.type() == ProbeType.NONE) {
                if (t.ejectionEnd != null) {
                    t.ejectionEnd.cancel(false);
                }
                HealthStatus back = before == HealthStatus.DOWN ? t.target.initialStatus() : before;
                t.ejectionEnd = loop.schedule(() -> {
                    if (!t.removed) {
                        t.state.restore(back);
                        publish(t, "ejection over");
                    }
                }, duration.toNanos(), TimeUnit.NANOSECONDS);
            }
            publish(t, "ejected");
        });
        return true;
    }

    /** The target's current status, or null when it is not registered. Any thread. */
    public HealthStatus status(String id) {
        ProbedTarget t = targets.get(id);
        return t == null ? null : t.published;
    }

    /** Malformed load reports and agent replies seen so far (for a metric). Any thread. */
    public long malformedReports() {
        return malformedReports.sum();
    }

    /**
     * Stops the loop, cancelling every scheduled probe and closing probe connections. Blocks up to a few
     * seconds for the loop thread to end, unless called from that loop itself (a listener).
     */
    @Override
    public void close() {
        closed = true;
        targets.clear();
        var f = group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
        if (!loop.inEventLoop()) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    // ---- everything below runs on the checker's loop ----

    private long firstDelay(ProbeSettings s) {
        return (long) (random.nextDouble() * s.interval().toNanos());
    }

    private long nextDelay(ProbeSettings s) {
        return (long) (s.interval().toNanos() * (0.9 + 0.2 * random.nextDouble()));
    }

    private void schedule(ProbedTarget t, long delayNanos) {
        if (t.removed || closed) {
            return;
        }
        if (t.settings.type() == ProbeType.NONE && t.settings.agentPort() == 0) {
            return; // nothing to do: the status stays as given
        }
        t.nextTick = loop.schedule(() -> tick(t), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void tick(ProbedTarget t) {
        if (t.removed) {
            return;
        }
        ProbeSettings s = t.settings;
        int gen = t.generation;
        if (s.type() != ProbeType.NONE && t.probeInFlight == null) {
            Promise<ProbeResult> p = loop.newPromise();
            t.probeInFlight = p;
            var timeout = loop.schedule(() -> p.trySuccess(ProbeResult.fail("timed out after "
                    + s.timeout().toMillis() + " ms")), s.timeout().toNanos(), TimeUnit.NANOSECONDS);
            p.addListener(f -> {
                timeout.cancel(false);
                if (t.probeInFlight == p) {
                    t.probeInFlight = null;
                }
                if (f.isSuccess()) {
                    onProbeResult(t, gen, p.getNow());
                }
            });
            if (s.type() == ProbeType.HTTP) {
                if (t.http == null) {
                    t.http = new HttpProbe(template, t.target);
                }
                t.http.start(s.path(), millis(s.timeout()), p);
            } else {
                TcpProbe.start(template.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis(s.timeout())),
                        t.target, p);
            }
        }
        if (s.agentPort() > 0 && t.agentInFlight == null) {
            Promise<String> a = loop.newPromise();
            t.agentInFlight = a;
            var timeout = loop.schedule(() -> a.trySuccess(null), s.timeout().toNanos(), TimeUnit.NANOSECONDS);
            a.addListener(f -> {
                timeout.cancel(false);
                if (t.agentInFlight == a) {
                    t.agentInFlight = null;
                }
                if (f.isSuccess() && a.getNow() != null) {
                    onAgentLine(t, gen, a.getNow());
                }
            });
            AgentProbe.start(template.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, millis(s.timeout())),
                    t.target, s.agentPort(), a);
        }
        schedule(t, nextDelay(s));
    }

    private void onProbeResult(ProbedTarget t, int gen, ProbeResult r) {
        if (t.removed || gen != t.generation) {
            return;
        }
        if (r.loadHeader() != null) {
            try {
                LoadReport report = LoadReportParser.parse(r.loadHeader(), System.nanoTime(), Instant.now());
                call(t, l -> l.onLoadReport(t.id(), report));
            } catch (MalformedReportException e) {
                malformed(t, "load report", r.loadHeader(), e);
            }
        }
        t.state.record(r.passed(), t.settings.rise(), t.settings.fall(), System.nanoTime());
        publish(t, r.detail());
    }

    private void onAgentLine(ProbedTarget t, int gen, String line) {
        if (t.removed || gen != t.generation) {
            return;
        }
        AgentReply reply;
        try {
            reply = AgentReplyParser.parse(line, System.nanoTime());
        } catch (MalformedReportException e) {
            malformed(t, "agent reply", line, e);
            return;
        }
        reply.state().ifPresent(s -> {
            if (s == AgentState.DOWN) {
                t.agentDown = true;
            } else if (s == AgentState.UP) {
                t.agentDown = false;
            }
        });
        call(t, l -> l.onAgentReply(t.id(), reply));
        publish(t, "agent said '" + line + "'");
    }

    private void publish(ProbedTarget t, String why) {
        HealthStatus now = t.effectiveStatus();
        HealthStatus before = t.published;
        if (now == before) {
            return;
        }
        t.published = now;
        log.info("backend {} is now {} (was {}): {}", t.id(), now, before, why);
        call(t, l -> l.onStatusChange(t.id(), before, now));
    }

    private void malformed(ProbedTarget t, String what, String raw, MalformedReportException e) {
        malformedReports.increment();
        long now = System.nanoTime();
        if (t.lastMalformedLogNanos != Long.MIN_VALUE && now - t.lastMalformedLogNanos < MALFORMED_LOG_EVERY_NANOS) {
            t.malformedSinceLastLog++;
            return;
        }
        log.warn("backend {}: ignoring malformed {} '{}': {} ({} more since the last such line)", t.id(), what,
                abbreviate(raw), e.getMessage(), t.malformedSinceLastLog);
        t.lastMalformedLogNanos = now;
        t.malformedSinceLastLog = 0;
    }

    private void call(ProbedTarget t, Consumer<HealthListener> c) {
        try {
            c.accept(t.target.listener());
        } catch (RuntimeException e) {
            log.error("health listener of {} failed", t.id(), e);
        }
    }

    private static void cancel(ProbedTarget t) {
        if (t.nextTick != null) {
            t.nextTick.cancel(false);
            t.nextTick = null;
        }
        if (t.ejectionEnd != null) {
            t.ejectionEnd.cancel(false);
            t.ejectionEnd = null;
        }
        // In-flight probes end by themselves (answer or timeout); their results are dropped by generation.
    }

    private void onLoop(Runnable r) {
        if (closed) {
            return;
        }
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("health checker is closed");
        }
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
