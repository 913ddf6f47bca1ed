package io.fulcrum.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fulcrum.proxy.testing.TestBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing an operator did is lost by a crash (SPEC section 7): the daemon runs as a child process,
 * takes API changes, is killed with SIGKILL, and a new one on the same state file has them all.
 */
class KilledProcessTest {

    @TempDir
    Path dir;
    private final TestBackend a = new TestBackend("a");
    private final TestBackend b = new TestBackend("b");
    private final TestBackend c = new TestBackend("c");

    @AfterEach
    void stop() {
        a.close();
        b.close();
        c.close();
    }

    @Test
    void changesSurviveAKilledProcess() throws Exception {
        Path conf = AdminFixture.writeConfig(dir, List.of(a.address(), b.address()));
        String web = "/api/v1/pools/web/backends";
        try (ChildDaemon first = new ChildDaemon(conf)) {
            AdminClient api = new AdminClient(first.adminPort(), AdminFixture.TOKEN);
            assertEquals(201, api.post(web, "{\"address\":\"" + c.address() + "\",\"weight\":250}").statusCode());
            assertEquals(200, api.patch(web + "/" + a.address(), "{\"weight\":10,\"state\":\"disabled\"}").statusCode());
            assertEquals(200, api.delete(web + "/" + b.address() + "?force=true").statusCode());
            first.kill();
        }
        try (ChildDaemon second = new ChildDaemon(conf)) {
            AdminClient api = new AdminClient(second.adminPort(), AdminFixture.TOKEN);
            JsonNode added = api.backend("web", c.address());
            assertEquals(250, added.get("weight").asInt());
            assertEquals("api", added.get("source").asText());
            JsonNode patched = api.backend("web", a.address());
            assertEquals(10, patched.get("weight").asInt());
            assertEquals("disabled", patched.get("state").asText());
            assertNull(api.backend("web", b.address()));
            second.kill();
        }
        // No temporary file was left behind by the atomic writes.
        try (var files = Files.list(dir.resolve("state"))) {
            assertEquals(List.of("fulcrum-state.json"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aCorruptStateFileStopsTheDaemonWithExitCode1AndNamesTheFile() throws Exception {
        Path conf = AdminFixture.writeConfig(dir, List.of(a.address()));
        Path state = AdminFixture.stateFile(dir);
        Files.writeString(state, "this is not json");
        try (ChildDaemon child = new ChildDaemon(conf)) {
            assertEquals(1, child.exitCode(), child.output());
            assertTrue(child.output().contains("fulcrum: state file " + state.toAbsolutePath() + ": is corrupt"),
                    child.output());
        }
    }
}
