package io.fulcrum.health.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AgentReplyParserTest {

    private static AgentReply parse(String s) throws MalformedReportException {
        return AgentReplyParser.parse(s, 7);
    }

    @Test
    void singleWords() throws Exception {
        assertEquals(new AgentReply(OptionalInt.of(75), Optional.empty(), 7), parse("75%"));
        assertEquals(Optional.of(AgentState.UP), parse("up").state());
        assertEquals(Optional.of(AgentState.DOWN), parse("down").state());
        assertEquals(Optional.of(AgentState.DRAIN), parse("drain").state());
        assertEquals(Optional.of(AgentState.MAINT), parse("maint").state());
        assertEquals(Optional.of(AgentState.READY), parse("ready").state());
        // HAProxy treats fail and stopped as down
        assertEquals(Optional.of(AgentState.DOWN), parse("fail").state());
        assertEquals(Optional.of(AgentState.DOWN), parse("STOPPED").state());
    }

    @Test
    void severalWordsCommaOrSpaceSeparated() throws Exception {
        assertEquals(new AgentReply(OptionalInt.of(75), Optional.of(AgentState.UP), 7), parse("up 75%"));
        assertEquals(new AgentReply(OptionalInt.of(50), Optional.of(AgentState.DRAIN), 7), parse("drain,50%"));
        assertEquals(new AgentReply(OptionalInt.of(0), Optional.of(AgentState.READY), 7),
                parse(" ready , 0% ,maxconn:30 # back from maintenance\r"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "# only a comment", "sideways", "75", "%", "-5%", "12a%", "1001%",
        "up, 99999%", "maxconn:", "maxconn:x"})
    void malformedReplies(String line) {
        assertThrows(MalformedReportException.class, () -> parse(line));
    }
}
