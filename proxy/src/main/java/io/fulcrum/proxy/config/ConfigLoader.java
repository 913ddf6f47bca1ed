package io.fulcrum.proxy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a HOCON config file into a validated {@link FulcrumConfig}, or fails with every problem found,
 * each as {@code FILE:LINE: fulcrum.pools.web.backends[1].weight: must be 1..1000, got 0}.
 *
 * <p>The file may {@code include} others (relative to itself) and use {@code ${?ENV}} substitutions;
 * what it leaves out comes from reference.conf, which is also the schema: unknown keys are errors.
 * Files it names (TLS certificates and keys, token-file, state-file, access-log path) resolve against
 * the config file's folder; TLS files and the token file are read now, so a reload that names a bad
 * file is rejected whole. Host names are not resolved.
 *
 * <p>Threading: stateless and safe from any thread, but it reads files: call it at start-up, from
 * {@code bin/fulcrum check} or on a reload thread, never on an event loop.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** Loads {@code file} with the process's environment for {@code ${?ENV}} substitutions. */
    public static FulcrumConfig load(Path file) throws InvalidConfigException {
        return load(file, System.getenv());
    }

    /** Loads {@code file}, looking {@code ${?NAME}} substitutions up in {@code env} only. */
    public static FulcrumConfig load(Path file, Map<String, String> env) throws InvalidConfigException {
        ConfigErrors errors = new ConfigErrors();
        String shown = file.toString();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            errors.addForFile(shown, Files.exists(file) ? "cannot read the config file" : "no such config file");
            errors.throwIfAny();
        }
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw parseFailure(e, shown);
        }
        Path baseDir = file.toAbsolutePath().getParent();
        return build(parsed, file, baseDir, env);
    }

    /**
     * Loads config text (for tests and tools): {@code name} stands for the file in messages
     * ({@code name:LINE: ...}), relative paths resolve against {@code baseDir}, and includes are read
     * relative to the working directory.
     */
    public static FulcrumConfig parse(String name, String text, Path baseDir, Map<String, String> env)
            throws InvalidConfigException {
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setOriginDescription(name));
        } catch (ConfigException e) {
            throw parseFailure(e, name);
        }
        return build(parsed, baseDir.resolve(name), baseDir, env);
    }

    private static FulcrumConfig build(Config parsed, Path source, Path baseDir, Map<String, String> env)
            throws InvalidConfigException {
        ConfigErrors errors = new ConfigErrors();
        Reference reference = Reference.get();
        for (String key : Section.keysInFileOrder(parsed.root())) {
            if (!key.equals("fulcrum")) {
                errors.add(parsed.root().get(key).origin(), ConfigUtil.joinPath(key),
                        "unknown key; everything goes under the fulcrum { ... } root"
                                + Suggestion.among(key, Set.of("fulcrum")));
            }
        }
        Config resolved;
        try {
            // The environment is the last fallback, so ${?NAME} finds it; only the fulcrum tree is kept.
            resolved = parsed.withFallback(reference.defaults).withFallback(environment(env))
                    .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
        } catch (ConfigException e) {
            errors.add(e.origin(), "substitution", strip(e));
            throw new InvalidConfigException(errors.messages());
        }
        ConfigValue root = resolved.root().get("fulcrum");
        if (!(root instanceof ConfigObject fulcrumObject)) {
            errors.add(root.origin(), "fulcrum", "expected an object { ... }, got " + Section.render(root));
            throw new InvalidConfigException(errors.messages());
        }
        Section fulcrum = new Section(fulcrumObject, reference.fulcrum, "fulcrum", errors);
        fulcrum.rejectUnknownKeys();
        ConfigFiles files = new ConfigFiles(baseDir);

        PoolReader pools = new PoolReader(reference);
        var poolEntries = pools.entries(fulcrum);
        Set<String> poolNames = new LinkedHashSet<>();
        poolEntries.forEach(e -> poolNames.add(e.getKey()));
        List<BindSite> binds = new ArrayList<>();
        List<ListenerConfig> listeners = new ListenerReader(reference, files, poolNames).read(fulcrum, binds);
        Map<String, PoolConfig> poolConfigs = pools.read(poolEntries);
        AdminConfig admin = new AdminReader(files).read(fulcrum, (ConfigObject) reference.fulcrum.get("admin"), binds);
        BindSite.reportClashes(binds, errors);

        Integer threads = fulcrum.integer("threads", 0, 4096);
        TimeoutsConfig timeouts = timeouts(fulcrum.object("timeouts", (ConfigObject) reference.fulcrum.get("timeouts")));
        LimitsConfig limits = limits(fulcrum.object("limits", (ConfigObject) reference.fulcrum.get("limits")));
        AccessLogConfig accessLog = accessLog(fulcrum.object("access-log",
                (ConfigObject) reference.fulcrum.get("access-log")), files);

        errors.throwIfAny();
        return new FulcrumConfig(source, List.copyOf(listeners), Collections.unmodifiableMap(poolConfigs),
                admin, threads, timeouts, limits, accessLog);
    }

    private static TimeoutsConfig timeouts(Section t) {
        if (t == null) {
            return null;
        }
        Duration header = t.duration("client-header", false);
        Duration idle = t.duration("client-idle", false);
        // 0 is meaningful here: close at once on SIGTERM without waiting for in-flight requests.
        Duration grace = t.duration("shutdown-grace", true);
        return new TimeoutsConfig(header, idle, grace);
    }

    private static LimitsConfig limits(Section l) {
        if (l == null) {
            return null;
        }
        Long header = l.bytes("max-header-bytes", 1, Integer.MAX_VALUE);
        Integer connections = l.integer("max-connections", 1, Integer.MAX_VALUE);
        Long body = l.bytes("max-request-body-bytes", 0, Long.MAX_VALUE);
        Long uri = l.bytes("max-uri-bytes", 1, Integer.MAX_VALUE);
        return new LimitsConfig(header == null ? 0 : header.intValue(), connections == null ? 0 : connections,
                body == null ? 0 : body, uri == null ? 0 : uri.intValue());
    }

    private static AccessLogConfig accessLog(Section a, ConfigFiles files) {
        if (a == null) {
            return null;
        }
        String path = a.string("path");
        String format = a.string("format");
        if (format != null && !format.equals("json") && !format.equals("combined")) {
            a.error("format", "must be json or combined, got '" + format + "'");
        }
        String resolved = path == null || path.isBlank() ? "" : files.resolve(path).toString();
        return new AccessLogConfig(resolved, format);
    }

    /** Environment variables as a HOCON object, each value naming its variable as its origin. */
    private static Config environment(Map<String, String> env) {
        ConfigObject obj = ConfigFactory.empty().root();
        for (Map.Entry<String, String> e : env.entrySet()) {
            obj = obj.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue(), "environment variable " + e.getKey()));
        }
        return obj.toConfig();
    }

    /** A syntax or I/O error: HOCON stops at the first one in a file, so there is one to report. */
    private static InvalidConfigException parseFailure(ConfigException e, String shown) {
        ConfigErrors errors = new ConfigErrors();
        if (e instanceof ConfigException.IO) {
            // The main file was checked before parsing, so this is an include(required(...)) that cannot
            // be read; its origin would name the class path, where the includer looked last.
            errors.addForFile(shown, "cannot read an included file: " + strip(e));
        } else if (e.origin() != null) {
            errors.add(e.origin(), e instanceof ConfigException.Parse ? "syntax error" : "error", strip(e));
        } else {
            errors.addForFile(shown, strip(e));
        }
        return new InvalidConfigException(errors.messages());
    }

    /** com.typesafe.config prefixes its messages with the origin; ours carry it already. */
    private static String strip(ConfigException e) {
        String message = e.getMessage();
        if (e.origin() != null) {
            String prefix = e.origin().description() + ": ";
            if (message.startsWith(prefix)) {
                message = message.substring(prefix.length());
            }
        }
        return message;
    }
}
