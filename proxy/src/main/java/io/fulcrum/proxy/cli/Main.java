package io.fulcrum.proxy.cli;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.config.ConfigLoader;
import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.InvalidConfigException;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.demo.DemoBackends;
import io.fulcrum.proxy.demo.DemoTraffic;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code fulcrum run | check | demo | version} (SPEC section 2). Exit codes: 0 success, 1 invalid
 * config or failed start (a message on stderr, a stack trace only with {@code --debug}), 2 bad usage.
 */
public final class Main {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            usage: fulcrum run   [--config FILE] [--debug]   run the daemon (default FILE: conf/fulcrum.conf)
                   fulcrum check  --config FILE              validate a config; print every error with file:line
                   fulcrum demo  [--config FILE]             the daemon plus three demo backends on 127.0.0.1:9001-9003
                   fulcrum version""";

    private Main() {
    }

    /** Netty's property for its buffer leak detector; set before any Netty class loads. */
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    public static void main(String[] args) {
        // Netty samples one buffer in 128 for leak tracking by default, capturing a stack trace each
        // time: about 2 µs per proxied request measured at a paced load (10 % of the event loop's user
        // time). The daemon runs without it; the tests run at PARANOID, and an operator chasing a
        // leak sets -Dio.netty.leakDetection.level=simple (or paranoid) in FULCRUM_JAVA_OPTS.
        if (System.getProperty(LEAK_DETECTION) == null) {
            System.setProperty(LEAK_DETECTION, "disabled");
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command and returns its exit code; {@code run} and {@code demo} return when stopped. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        String command = args[0];
        Path config = null;
        boolean debug = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "-c" -> {
                    if (i + 1 >= args.length) {
                        err.println("fulcrum: --config needs a FILE\n" + USAGE_TEXT);
                        return USAGE;
                    }
                    config = Path.of(args[++i]);
                }
                case "--debug" -> debug = true;
                default -> {
                    err.println("fulcrum: unknown argument '" + args[i] + "'\n" + USAGE_TEXT);
                    return USAGE;
                }
            }
        }
        try {
            return switch (command) {
                case "version", "--version" -> {
                    out.println("fulcrum " + Version.get());
                    yield OK;
                }
                case "check" -> {
                    if (config == null) {
                        err.println("fulcrum check: --config FILE is required\n" + USAGE_TEXT);
                        yield USAGE;
                    }
                    ConfigLoader.load(config);
                    out.println(config + ": ok");
                    yield OK;
                }
                case "run" -> serve(load(config), null);
                case "demo" -> demo(load(config), out);
                case "help", "--help", "-h" -> {
                    out.println(USAGE_TEXT);
                    yield OK;
                }
                default -> {
                    err.println("fulcrum: unknown command '" + command + "'\n" + USAGE_TEXT);
                    yield USAGE;
                }
            };
        } catch (InvalidConfigException e) {
            for (String line : e.errors()) {
                err.println(line);
            }
            err.println("fulcrum: configuration is invalid (" + e.errors().size() + " error"
                    + (e.errors().size() == 1 ? "" : "s") + ")");
            return FAILED;
        } catch (Exception e) {
            err.println("fulcrum: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (debug) {
                e.printStackTrace(err);
            }
            return FAILED;
        }
    }

    /** The config named, or conf/fulcrum.conf here, or under the install folder the launcher names. */
    private static FulcrumConfig load(Path config) throws InvalidConfigException {
        Path file = config;
        if (file == null) {
            file = Path.of("conf/fulcrum.conf");
            String home = System.getProperty("fulcrum.home");
            if (!Files.exists(file) && home != null) {
                file = Path.of(home, "conf", "fulcrum.conf");
            }
        }
        return ConfigLoader.load(file);
    }

    private static int serve(FulcrumConfig config, Consumer<Daemon> every5s) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        // Handle TERM and INT ourselves (not with a shutdown hook) so a graceful stop exits 0.
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try (Daemon daemon = Daemon.start(config, true)) {
            // SIGHUP reloads the config, as POST /api/v1/reload does; off the signal thread.
            SignalHandler before = Signal.handle(new Signal("HUP"),
                    s -> daemon.control().execute(daemon::reloadQuietly));
            if (before == SignalHandler.SIG_IGN) {
                // The JVM keeps a SIGHUP ignored at start (nohup does that) and installs nothing.
                LoggerFactory.getLogger(Main.class).warn("SIGHUP is ignored by this process (started under"
                        + " nohup?): kill -HUP will not reload. Use POST /api/v1/reload or save the file.");
            }
            if (every5s != null) {
                while (!stop.await(5, TimeUnit.SECONDS)) {
                    every5s.accept(daemon);
                }
            } else {
                stop.await();
            }
        }
        return OK;
    }

    private static int demo(FulcrumConfig config, PrintStream out) throws InterruptedException {
        String target = config.listeners().get(0).bind().toString().replace("0.0.0.0", "127.0.0.1");
        try (DemoBackends backends = DemoBackends.start("127.0.0.1", 9001);
             DemoTraffic traffic = new DemoTraffic(target)) {
            out.println("demo backends up on 127.0.0.1:9001-9003 (demo-1 cool, demo-2 warm, demo-3 hot);"
                    + " sending ~20 requests/s through http://" + target + "/");
            config.listeners().forEach(l -> out.println("try:  curl http://" + l.bind() + "/"));
            out.println("admin: curl http://" + config.admin().bind() + "/api/v1/pools   (Ctrl-C stops)");
            long[] last = new long[backends.backends().size()];
            return serve(config, daemon -> {
                StringBuilder line = new StringBuilder("served in the last 5s:");
                for (int i = 0; i < last.length; i++) {
                    DemoBackends.DemoBackend b = backends.backends().get(i);
                    long now = b.served();
                    line.append(String.format(Locale.ROOT, "  %s %d (cpu %.2f)", b.name(), now - last[i], b.cpu()));
                    last[i] = now;
                }
                daemon.pools().all().forEach(p -> line.append("\n  pool ").append(p.name())
                        .append(" effective weights:").append(weights(p)));
                out.println(line);
            });
        }
    }

    /** The effective weights of a pool, for the demo's periodic line. */
    static String weights(BackendPool pool) {
        StringBuilder s = new StringBuilder();
        for (Backend b : pool.backends()) {
            s.append(' ').append(b.id()).append('=').append(b.effectiveWeight());
        }
        return s.toString();
    }
}
