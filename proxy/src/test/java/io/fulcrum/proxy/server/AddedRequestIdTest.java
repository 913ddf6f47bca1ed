package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.http1.HeaderBuilder;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AddedRequestIdTest {

    @Test
    void theDigitsWrittenIntoAHeadAreTheTextTheAccessLogGets() {
        AddedRequestId id = new AddedRequestId();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String text = id.renew().toString();
            assertTrue(text.matches("[0-9a-f]{32}"), text);
            HeaderBuilder b = new HeaderBuilder();
            b.text(id);
            assertEquals(text, b.toString());
            assertEquals(32, id.length());
            for (int k = 0; k < 32; k++) {
                assertEquals(text.charAt(k), id.charAt(k));
            }
            assertEquals(text.substring(3, 9), id.subSequence(3, 9).toString());
            assertTrue(seen.add(text), "renewed: a new id every time");
        }
        assertThrows(IndexOutOfBoundsException.class, () -> id.charAt(32));
        assertNotEquals(id.toString(), id.renew().toString());
    }
}
