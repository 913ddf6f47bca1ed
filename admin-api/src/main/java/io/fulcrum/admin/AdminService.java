package io.fulcrum.admin;

import java.util.List;

/**
 * What the admin API needs from the daemon; the daemon (proxy/) implements it, this module knows
 * nothing of proxy/.
 *
 * <p><b>Threading.</b> The admin server calls every method on its one worker thread
 * ({@code fulcrum-admin-worker}), one call at a time, never on a Netty event loop: admin changes are
 * serialised among themselves, and a method may block briefly (file I/O and fsync of the state file,
 * building a config). They still run concurrently with the data plane, probes and file-triggered
 * reloads, which the implementation must guard against itself. Views returned are snapshots; the
 * server serialises them on its event loop after the call returned, so they must be immutable.
 *
 * <p><b>Persistence.</b> A mutating method ({@link #addBackend}, {@link #patchBackend},
 * {@link #drain}, {@link #removeBackend}) must have written the change to the state file (see
 * {@code io.fulcrum.admin.state.StateStore}) before it returns; if that write fails it throws
 * {@link AdminException#notSaved} and leaves the running state as it was.
 *
 * <p><b>Errors.</b> Refusals are thrown as {@link AdminException}; anything else thrown becomes a
 * 500 and is logged.
 */
public interface AdminService {

    /** Version, uptime, config generation and the last reload's outcome. */
    StatusView status();

    /** Every pool with its backends, in config order. */
    List<PoolView> pools();

    /** One pool; 404 ({@link AdminException#unknownPool}) if there is none of that name. */
    PoolView pool(String pool);

    /**
     * Adds a backend to a pool at runtime. It gets traffic only after it passed {@code rise} probes,
     * then slow-starts (SPEC section 5).
     *
     * @param address {@code host:port}, already checked for form by the server (port 1..65535)
     * @param weight  1..1000, already checked by the server
     * @return the new backend (source API, health UNKNOWN)
     * @throws AdminException 404 unknown pool, 409 if the pool has a backend with that id
     */
    BackendView addBackend(String pool, String address, int weight);

    /**
     * Changes a backend's weight and/or admin state. State ACTIVE undoes a drain or a disable.
     *
     * @throws AdminException 404 unknown pool or backend
     */
    BackendView patchBackend(String pool, String id, BackendPatch patch);

    /**
     * Starts draining a backend now: no new requests from the moment this returns; in-flight
     * requests and keep-alive connections finish. Draining an already draining or drained backend
     * is not an error: it returns the same kind of handle (the future already complete if drained).
     *
     * @throws AdminException 404 unknown pool or backend
     */
    DrainStarted drain(String pool, String id);

    /**
     * Removes a backend. Without {@code force} it is drained first and removed once nothing is in
     * flight (the removal is recorded in the state file at once, so a restart does not bring it
     * back); with {@code force} it is removed at once and its connections are closed.
     *
     * @return the backend as it was when the call returned (state DRAINING or DRAINED without force)
     * @throws AdminException 404 unknown pool or backend
     */
    BackendView removeBackend(String pool, String id, boolean force);

    /**
     * Reloads the config file now, as SIGHUP does: parse and validate the whole file, then apply it
     * as a diff, or keep the old config if it is invalid.
     */
    ReloadResult reload();

    /** The Prometheus text exposition (format 0.0.4) of every meter. */
    String prometheusScrape();
}
