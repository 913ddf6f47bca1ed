package io.fulcrum.admin.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

    @TempDir
    Path dir;

    private static RuntimeState sample() {
        return RuntimeState.empty()
                .withAdded("web", "10.0.0.4:8080", 30)
                .withWeight("web", "127.0.0.1:9001", 50)
                .withState("web", "127.0.0.1:9001", Optional.of(StateOverride.DISABLED))
                .withState("api", "127.0.0.1:9101", Optional.of(StateOverride.DRAINING))
                .withRemoved("web", "127.0.0.1:9002");
    }

    @Test
    void roundTrip() throws IOException {
        Path file = dir.resolve("fulcrum-state.json");
        StateStore store = new StateStore(file);
        store.save(sample());
        assertEquals(sample(), new StateStore(file).load());
        String text = Files.readString(file);
        assertTrue(text.contains("\"version\" : 1"), text);
        assertTrue(text.contains("\"removed\" : true"), text);

        store.save(RuntimeState.empty());
        assertEquals(RuntimeState.empty(), store.load());
        assertEquals(List.of(file), files(), "no temporary file stays behind");
    }

    @Test
    void aMissingFileIsAnEmptyState() throws IOException {
        assertEquals(RuntimeState.empty(), new StateStore(dir.resolve("absent.json")).load());
    }

    @Test
    void aWriteFailingMidwayLeavesTheOldContentIntact() throws IOException {
        Path file = dir.resolve("state.json");
        new StateStore(file).save(sample());
        byte[] before = Files.readAllBytes(file);

        StateStore failing = new StateStore(file, (channel, bytes) -> {
            channel.write(ByteBuffer.wrap(bytes, 0, bytes.length / 2));
            throw new IOException("No space left on device");
        });
        StateFileException e = assertThrows(StateFileException.class, () -> failing.save(RuntimeState.empty()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(sample(), new StateStore(file).load());
        assertEquals(List.of(file), files(), "the temporary file is removed");
    }

    @Test
    void aCorruptFileIsAnErrorNamingIt() throws IOException {
        Path file = dir.resolve("state.json");
        for (String bad : List.of("", "{\"version\":1,\"pools\":{\"web\":{", "[]", "{\"pools\":{}}",
                "{\"version\":2,\"pools\":{}}", "{\"version\":1,\"pools\":{},\"extra\":1}",
                "{\"version\":1,\"pools\":{\"web\":{\"a:1\":{\"weight\":\"50\"}}}}",
                "{\"version\":1,\"pools\":{\"web\":{\"a:1\":{\"weight\":0}}}}",
                "{\"version\":1,\"pools\":{\"web\":{\"a:1\":{\"state\":\"drained\"}}}}",
                "{\"version\":1,\"pools\":{\"web\":{\"a:1\":{\"removed\":true,\"weight\":5}}}}",
                "{\"version\":1,\"pools\":{\"web\":{\"a:1\":{\"added\":true}}}}",
                "{\"version\":1,\"pools\":{\"web\":{\"a:1\":{\"wieght\":5}}}}",
                "{\"version\":1,\"version\":1,\"pools\":{}}")) {
            Files.writeString(file, bad);
            StateFileException e = assertThrows(StateFileException.class, () -> new StateStore(file).load(), bad);
            assertTrue(e.getMessage().startsWith("state file " + file.toAbsolutePath() + ": is corrupt: "), e.getMessage());
            assertEquals(file.toAbsolutePath(), e.file());
        }
    }

    @Test
    void anUnreadableFileIsAnErrorNamingIt() throws IOException {
        Path notAFile = Files.createDirectory(dir.resolve("state.json"));
        StateFileException e = assertThrows(StateFileException.class, () -> new StateStore(notAFile).load());
        assertTrue(e.getMessage().startsWith("state file " + notAFile + ": cannot be read"), e.getMessage());
    }

    @Test
    void savingIntoAMissingFolderIsAnErrorNamingTheFile() {
        Path file = dir.resolve("no/such/folder/state.json");
        StateFileException e = assertThrows(StateFileException.class, () -> new StateStore(file).save(sample()));
        assertTrue(e.getMessage().startsWith("state file " + file), e.getMessage());
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
