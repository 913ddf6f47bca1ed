package io.fulcrum.proxy.daemon;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads when the config file, or a {@code .conf} file beside it (its includes), changes.
 *
 * <p>The folder is watched rather than the file: editors save by writing a temp file and renaming it
 * over the old one, which replaces the file a per-file watch would follow. Events are debounced (one
 * save makes several), and a reload happens only when the content of the config files really
 * changed (a fingerprint of their bytes), so one save is one reload, and writes of other files in the
 * folder (the state file, editor swap files) cause none.
 *
 * <p>The JDK's watch service still sees every write to every file in the folder, so a file written
 * often there (a log) costs CPU on its poller thread: one per write, about 5 µs each. This thread
 * wakes at most every 100 ms whatever the rate. The docs say to keep such files elsewhere.
 */
final class ConfigWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    static final long DEBOUNCE_MILLIS = 300;
    private static final long COALESCE_MILLIS = 100;

    private final Path file;
    private final Path folder;
    private final ScheduledExecutorService control;
    private final Runnable reload;
    private final WatchService watch;
    private final Thread thread;
    /** Of the files as last loaded; written and read under the daemon's monitor only. */
    private byte[] fingerprint;
    private ScheduledFuture<?> pending;

    private ConfigWatcher(Path file, ScheduledExecutorService control, Runnable reload) throws IOException {
        this.file = file.toAbsolutePath().normalize();
        this.folder = this.file.getParent();
        this.control = control;
        this.reload = reload;
        this.fingerprint = fingerprint();
        this.watch = FileSystems.getDefault().newWatchService();
        folder.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = new Thread(this::run, "fulcrum-config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Watches {@code file}'s folder; null (and a warning) when the file is not there to watch. */
    static ConfigWatcher start(Path file, ScheduledExecutorService control, Runnable reload) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return new ConfigWatcher(file, control, reload);
        } catch (IOException e) {
            log.warn("cannot watch {} for changes ({}); reload with SIGHUP or the admin API", file, e.getMessage());
            return null;
        }
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watch.take();
                // Let the events of this burst gather on the key: a file written often in the folder
                // (a log) then costs one wake-up per COALESCE_MILLIS, not one per write.
                Thread.sleep(COALESCE_MILLIS);
                boolean relevant = false;
                for (WatchEvent<?> e : key.pollEvents()) {
                    // OVERFLOW: events were lost, a .conf change may be among them.
                    relevant |= e.kind() == StandardWatchEventKinds.OVERFLOW
                            || e.context() instanceof Path p && p.toString().endsWith(".conf");
                }
                key.reset();
                if (relevant) {
                    control.execute(this::debounce);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    /** On the control thread: (re)arms the reload for DEBOUNCE_MILLIS after the last event. */
    private void debounce() {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = control.schedule(this::reloadIfChanged, DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void reloadIfChanged() {
        reload.run();
    }

    /** True when the config files' content differs from what was last loaded. Daemon's monitor held. */
    boolean changedSinceLoad() {
        byte[] now = fingerprint();
        return now != null && !Arrays.equals(now, fingerprint);
    }

    /** Records the files' content as loaded (any reload, whatever triggered it). Daemon's monitor held. */
    void loaded() {
        byte[] now = fingerprint();
        if (now != null) {
            fingerprint = now;
        }
    }

    /** SHA-256 over the config file and every .conf file beside it, in name order; null if unreadable. */
    private byte[] fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            java.util.List<Path> files = new java.util.ArrayList<>();
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(folder, "*.conf")) {
                dir.forEach(files::add);
            }
            if (!files.contains(file)) {
                files.add(file);
            }
            files.sort(null);
            for (Path p : files) {
                digest.update(p.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                if (Files.isRegularFile(p)) {
                    digest.update(Files.readAllBytes(p));
                }
            }
            return digest.digest();
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        thread.interrupt();
    }
}
