package io.fulcrum.admin.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Loads and saves the {@link RuntimeState} in {@code admin.state-file}.
 *
 * <p>A save is atomic and durable: the bytes go to a temporary file in the same folder, which is
 * fsynced, renamed over the state file (an atomic rename on POSIX file systems), and then the folder
 * itself is fsynced so the rename survives a crash. A reader, a crash or a failed write at any point
 * leaves either the old file or the new one whole, never a mix; a failed save removes its temporary
 * file.
 *
 * <p>Threading: {@link #save} and {@link #load} are synchronised, so saves never interleave; they
 * block on disk I/O, so call them off event loops (the admin worker, or the daemon's start-up).
 */
public final class StateStore {

    /** How the bytes reach the temporary file; replaced in tests to fail midway. */
    interface ContentWriter {
        void write(FileChannel channel, byte[] bytes) throws IOException;
    }

    private static final ContentWriter FULL_WRITE = (channel, bytes) -> {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    };

    private final Path file;
    private final ContentWriter writer;

    public StateStore(Path file) {
        this(file, FULL_WRITE);
    }

    StateStore(Path file, ContentWriter writer) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        this.writer = writer;
    }

    public Path file() {
        return file;
    }

    /**
     * Reads the state file. A missing file is an empty state (the first start); anything else that
     * is not a valid state file is an error naming the file.
     */
    public synchronized RuntimeState load() throws StateFileException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return RuntimeState.empty();
        } catch (AccessDeniedException e) {
            throw new StateFileException(file, "cannot be read: permission denied", e);
        } catch (IOException e) {
            throw new StateFileException(file, "cannot be read: " + e, e);
        }
        try {
            return StateFileFormat.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new StateFileException(file, "is corrupt: " + e.getMessage()
                    + " (fix or move it away; it holds the changes operators made through the admin API)", e);
        }
    }

    /**
     * Replaces the state file with {@code state}, atomically and durably, before returning.
     *
     * @throws StateFileException when the new content could not be put in place (the old file is
     *         intact), or, rarely, when the rename succeeded but the folder could not be synced (the
     *         new content is then in place but might not survive a power loss)
     */
    public synchronized void save(RuntimeState state) throws StateFileException {
        byte[] bytes = StateFileFormat.encode(state);
        Path dir = file.getParent();
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new StateFileException(file, "cannot create a temporary file in " + dir + ": " + e, e);
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(ch, bytes);
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp, e);
            throw new StateFileException(file, "cannot be written (the previous content is intact): " + e, e);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            throw new StateFileException(file, "was replaced but its folder could not be synced to disk: " + e, e);
        }
    }

    private static void deleteQuietly(Path tmp, IOException failure) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
