package io.fulcrum.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionTest {

    @Test
    void editDistance() {
        assertEquals(0, Suggestion.distance("health", "health"));
        assertEquals(1, Suggestion.distance("helth", "health"));
        assertEquals(1, Suggestion.distance("reties", "retries"));
        assertEquals(3, Suggestion.distance("kitten", "sitting"));
        assertEquals(6, Suggestion.distance("", "health"));
    }

    @Test
    void suggestsOnlyCloseKeys() {
        List<String> known = List.of("health", "retries", "path-prefix", "pool", "host");
        assertEquals("; did you mean 'health'?", Suggestion.among("helth", known));
        assertEquals("; did you mean 'path-prefix'?", Suggestion.among("path_prefix", known));
        assertEquals("; did you mean 'pool'?", Suggestion.among("Pool", known));
        assertEquals("", Suggestion.among("colour", known));
        assertEquals("", Suggestion.among("x", known), "one letter is one edit from nothing useful");
    }
}
