package io.fulcrum.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fulcrum.proxy.config.ConfigLoader;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.TestBackend;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changes made through the API survive a graceful restart (close the daemon, start a new one on the
 * same config and state file); a corrupt state file stops the start; a change that cannot be saved
 * is refused and not applied.
 */
class PersistenceTest {

    @TempDir
    Path dir;
    private final TestBackend a = new TestBackend("a");
    private final TestBackend b = new TestBackend("b");
    private final TestBackend c = new TestBackend("c");
    private final TestBackend d = new TestBackend("d");
    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        a.close();
        b.close();
        c.close();
        d.close();
    }

    @Test
    void everyKindOfChangeSurvivesAGracefulRestart() throws Exception {
        Path conf = AdminFixture.writeConfig(dir, List.of(a.address(), b.address(), c.address()));
        daemon = AdminFixture.start(conf);
        AdminClient api = AdminFixture.client(daemon);
        String web = "/api/v1/pools/web/backends";
        assertEquals(201, api.post(web, "{\"address\":\"" + d.address() + "\",\"weight\":7}").statusCode());
        assertEquals(200, api.patch(web + "/" + a.address(), "{\"weight\":42}").statusCode());
        assertEquals(200, api.patch(web + "/" + b.address(), "{\"state\":\"disabled\"}").statusCode());
        assertEquals(200, api.delete(web + "/" + c.address() + "?force=true").statusCode());
        daemon.close();

        daemon = AdminFixture.start(conf);
        api = AdminFixture.client(daemon);
        JsonNode added = api.backend("web", d.address());
        assertEquals(7, added.get("weight").asInt());
        assertEquals("api", added.get("source").asText());
        assertEquals("unknown", added.get("health").asText(), "an API backend passes its probes again after a restart");
        JsonNode reweighted = api.backend("web", a.address());
        assertEquals(42, reweighted.get("weight").asInt());
        assertEquals("config", reweighted.get("source").asText());
        assertEquals("disabled", api.backend("web", b.address()).get("state").asText());
        assertNull(api.backend("web", c.address()), "a config backend removed through the API stays out");

        // Only a is selectable now: active, up, from the config.
        for (int i = 0; i < 4; i++) {
            assertEquals("a", AdminFixture.traffic(daemon, "/x").body());
        }

        // Undoing through the API is persisted too: b active again, c added back.
        assertEquals(200, api.patch(web + "/" + b.address(), "{\"state\":\"active\"}").statusCode());
        assertEquals(201, api.post(web, "{\"address\":\"" + c.address() + "\"}").statusCode());
        daemon.close();
        daemon = AdminFixture.start(conf);
        api = AdminFixture.client(daemon);
        assertEquals("active", api.backend("web", b.address()).get("state").asText());
        assertEquals(100, api.backend("web", c.address()).get("weight").asInt());
        assertEquals(4, api.json("/api/v1/pools/web").get("backends").size());
    }

    @Test
    void apiChangesWinOverTheConfigAcrossAReload() throws Exception {
        Path conf = AdminFixture.writeConfig(dir, List.of(a.address(), b.address(), c.address()));
        daemon = AdminFixture.start(conf);
        AdminClient api = AdminFixture.client(daemon);
        String web = "/api/v1/pools/web/backends";
        assertEquals(200, api.patch(web + "/" + a.address(), "{\"weight\":42}").statusCode());
        assertEquals(200, api.patch(web + "/" + b.address(), "{\"state\":\"disabled\"}").statusCode());
        assertEquals(200, api.delete(web + "/" + c.address() + "?force=true").statusCode());
        assertEquals(201, api.post(web, "{\"address\":\"" + d.address() + "\",\"weight\":7}").statusCode());

        // The file now sets weights for a and b, and still lists c.
        String text = Files.readString(conf);
        for (TestBackend t : List.of(a, b)) {
            text = text.replace("{ address = \"" + t.address() + "\" }", "{ address = \"" + t.address() + "\", weight = 300 }");
        }
        Files.writeString(conf, text);
        HttpResponse<String> r = api.post("/api/v1/reload", null);
        assertEquals(200, r.statusCode(), r.body());

        assertEquals(42, api.backend("web", a.address()).get("weight").asInt(), "the API's weight wins");
        JsonNode bNow = api.backend("web", b.address());
        assertEquals(300, bNow.get("weight").asInt(), "the file's weight, where the API set none");
        assertEquals("disabled", bNow.get("state").asText());
        assertNull(api.backend("web", c.address()), "removed through the API: the file does not bring it back");
        assertEquals(7, api.backend("web", d.address()).get("weight").asInt());
        assertEquals("api", api.backend("web", d.address()).get("source").asText());
        for (int i = 0; i < 4; i++) {
            assertEquals("a", AdminFixture.traffic(daemon, "/x").body());
        }
    }

    @Test
    void aDrainSurvivesARestartAndEndsDrained() {
        Path conf = AdminFixture.writeConfig(dir, List.of(a.address(), b.address()));
        daemon = AdminFixture.start(conf);
        AdminClient api = AdminFixture.client(daemon);
        assertEquals(200, api.post("/api/v1/pools/web/backends/" + a.address() + "/drain?wait=5s", null).statusCode());
        daemon.close();

        daemon = AdminFixture.start(conf);
        AdminClient again = AdminFixture.client(daemon);
        AdminFixture.await("a is drained after the restart",
                () -> again.backend("web", a.address()).get("state").asText().equals("drained"));
    }

    @Test
    void theStateFileIsWrittenBeforeTheCallAnswers() throws Exception {
        Path conf = AdminFixture.writeConfig(dir, List.of(a.address()));
        daemon = AdminFixture.start(conf);
        AdminClient api = AdminFixture.client(daemon);
        assertEquals(200, api.patch("/api/v1/pools/web/backends/" + a.address(), "{\"weight\":9}").statusCode());
        JsonNode file = AdminClient.parse(Files.readString(AdminFixture.stateFile(dir)));
        assertEquals(1, file.get("version").asInt());
        assertEquals(9, file.get("pools").get("web").get(a.address()).get("weight").asInt());
    }

    @Test
    void aCorruptStateFileStopsTheStartWithAnErrorNamingIt() throws Exception {
        Path conf = AdminFixture.writeConfig(dir, List.of(a.address()));
        Path state = AdminFixture.stateFile(dir);
        Files.writeString(state, "{\"version\":1,\"pools\":{\"web\":{");
        StateFileStartException e = assertThrows(StateFileStartException.class,
                () -> Daemon.start(ConfigLoader.load(conf)));
        assertTrue(e.getMessage().contains(state.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        // The listener it had bound was released again: a second try fails the same way, not on a port.
        Files.writeString(state, "{\"version\":1,\"pools\":{\"web\":{\"" + a.address() + "\":{\"weight\":5000}}}}");
        StateFileStartException again = assertThrows(StateFileStartException.class,
                () -> Daemon.start(ConfigLoader.load(conf)));
        assertTrue(again.getMessage().contains("1..1000"), again.getMessage());
    }

    @Test
    void aStateFileThatIsAFolderIsUnreadable() throws Exception {
        Path conf = AdminFixture.writeConfig(dir, List.of(a.address()));
        Files.createDirectories(AdminFixture.stateFile(dir));
        StateFileStartException e = assertThrows(StateFileStartException.class,
                () -> Daemon.start(ConfigLoader.load(conf)));
        assertTrue(e.getMessage().contains(AdminFixture.stateFile(dir).toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void aChangeThatCannotBeSavedIsRefusedWith500AndNotApplied() throws Exception {
        Path conf = AdminFixture.writeConfig(dir, List.of(a.address()));
        daemon = AdminFixture.start(conf);
        AdminClient api = AdminFixture.client(daemon);
        // The state file's folder disappears: the temporary file cannot be created.
        Files.delete(dir.resolve("state"));
        HttpResponse<String> r = api.post("/api/v1/pools/web/backends", "{\"address\":\"" + b.address() + "\"}");
        assertEquals(500, r.statusCode(), r.body());
        assertEquals("state not saved", AdminClient.parse(r.body()).get("error").asText());
        assertNull(api.backend("web", b.address()));
        assertEquals(500, api.patch("/api/v1/pools/web/backends/" + a.address(), "{\"weight\":3}").statusCode());
        assertEquals(100, api.backend("web", a.address()).get("weight").asInt());
    }
}
