package io.fulcrum.admin.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RuntimeStateTest {

    @Test
    void changesAccumulatePerBackend() {
        RuntimeState s = RuntimeState.empty()
                .withWeight("web", "a:1", 50)
                .withState("web", "a:1", Optional.of(StateOverride.DISABLED));
        assertEquals(new BackendOverride(false, OptionalInt.of(50), Optional.of(StateOverride.DISABLED), false),
                s.get("web", "a:1").orElseThrow());
    }

    @Test
    void activeAgainDropsAnOverrideThatChangesNothingElse() {
        RuntimeState s = RuntimeState.empty()
                .withState("web", "a:1", Optional.of(StateOverride.DRAINING))
                .withState("web", "a:1", Optional.empty());
        assertTrue(s.isEmpty(), "nothing left to remember: " + s);
    }

    @Test
    void removingAConfigBackendRemembersTheRemoval() {
        RuntimeState s = RuntimeState.empty().withWeight("web", "a:1", 5).withRemoved("web", "a:1");
        assertEquals(BackendOverride.REMOVED, s.get("web", "a:1").orElseThrow());
    }

    @Test
    void removingAnApiBackendForgetsIt() {
        RuntimeState s = RuntimeState.empty().withAdded("web", "b:2", 10).withRemoved("web", "b:2");
        assertTrue(s.isEmpty(), s.toString());
    }

    @Test
    void reAddingAfterARemovalClearsTheRemoval() {
        RuntimeState s = RuntimeState.empty().withRemoved("web", "a:1").withAdded("web", "a:1", 20);
        assertEquals(new BackendOverride(true, OptionalInt.of(20), Optional.empty(), false), s.get("web", "a:1").orElseThrow());
    }

    @Test
    void withoutForgetsAndValuesAreImmutable() {
        RuntimeState one = RuntimeState.empty().withWeight("web", "a:1", 5);
        RuntimeState none = one.without("web", "a:1");
        assertTrue(none.isEmpty());
        assertEquals(OptionalInt.of(5), one.get("web", "a:1").orElseThrow().weight(), "the old value is unchanged");
    }
}
