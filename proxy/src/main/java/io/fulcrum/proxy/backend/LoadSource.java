package io.fulcrum.proxy.backend;

/** Where the last load report of a backend can be read (the health component). Any thread, no blocking. */
public interface LoadSource {

    LoadSource NONE = backend -> null;

    /** The backend's last load report, or null when it sent none (or it is too old to count). */
    BackendLoad load(Backend backend);
}
