package io.fulcrum.proxy.config;

/** A backend as the config file lists it; weight 1..1000, default 100. */
public record BackendConfig(HostPort address, int weight) {
}
