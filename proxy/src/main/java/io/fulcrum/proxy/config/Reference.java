package io.fulcrum.proxy.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;

/**
 * Fulcrum's reference.conf: the defaults under {@code fulcrum} and the per-entry templates under
 * {@code fulcrum-entry-templates}. Together they are the schema every key is checked against. Parsed
 * once; immutable, so shared by every thread.
 */
final class Reference {

    private static final Reference INSTANCE = new Reference(
            ConfigFactory.parseResources(Reference.class.getClassLoader(), "reference.conf").resolve());

    /** Only the {@code fulcrum} tree: what a user's file falls back to. */
    final Config defaults;
    final ConfigObject fulcrum;
    final ConfigObject listener;
    final ConfigObject tls;
    final ConfigObject certificate;
    final ConfigObject route;
    final ConfigObject pool;
    final ConfigObject backend;

    private Reference(Config reference) {
        if (!reference.hasPath("fulcrum") || !reference.hasPath("fulcrum-entry-templates")) {
            throw new IllegalStateException("Fulcrum's reference.conf is missing from the class path");
        }
        defaults = reference.withOnlyPath("fulcrum");
        fulcrum = reference.getObject("fulcrum");
        Config templates = reference.getConfig("fulcrum-entry-templates");
        listener = templates.getObject("listener");
        tls = templates.getObject("tls");
        certificate = templates.getObject("certificate");
        route = templates.getObject("route");
        pool = templates.getObject("pool");
        backend = templates.getObject("backend");
    }

    static Reference get() {
        return INSTANCE;
    }
}
