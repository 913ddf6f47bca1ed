package io.fulcrum.proxy.http1;

import static io.fulcrum.proxy.http1.ParserHarness.buf;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@link ResponseParser} refuses: each is fired once as a {@link ResponseParseException}, and
 * after it the parser passes nothing on and releases what it reads.
 */
class ResponseParserErrorsTest {

    private static final String OK = "HTTP/1.1 200 OK\r\n";
    private static final String CHUNKED = OK + "Transfer-Encoding: chunked\r\n\r\n";
    private static final String NEXT = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    static Stream<Arguments> badHeads() {
        return Stream.of(
                Arguments.of("HTTP/1.1 20 OK\r\n\r\n", "malformed status line"),
                Arguments.of("HTTP/2.0 200 OK\r\n\r\n", "malformed status line"),
                Arguments.of("HTTP/1.2 200 OK\r\n\r\n", "malformed status line"),
                Arguments.of("http/1.1 200 OK\r\n\r\n", "malformed status line"),
                Arguments.of("HTTP/1.1 200OK\r\n\r\n", "malformed status line"),
                Arguments.of("HTTP/1.1  200 OK\r\n\r\n", "malformed status line"),
                Arguments.of("HTTP/1.1 2x0 OK\r\n\r\n", "malformed status line"),
                Arguments.of("HTTP/1.1 200\tOK\r\n\r\n", "malformed status line"),
                Arguments.of("\r\nHTTP/1.1 200 OK\r\n\r\n", "malformed status line"),
                Arguments.of("HTTP/1.1 099 Odd\r\n\r\n", "status 99"),
                Arguments.of("HTTP/1.1 200 O\rK\r\n\r\n", "bare CR in the status line"),
                Arguments.of("HTTP/1.1 200 O\u0000K\r\n\r\n", "control byte in the status line"),
                Arguments.of(OK + "X-A: 1\r\n continued\r\nContent-Length: 0\r\n\r\n", "obsolete line folding"),
                Arguments.of(OK + "X-A: 1\r\n\tcontinued\r\nContent-Length: 0\r\n\r\n", "obsolete line folding"),
                Arguments.of(OK + " X-A: 1\r\n\r\n", "obsolete line folding"),
                Arguments.of(OK + "X-A : 1\r\n\r\n", "malformed header name"),
                Arguments.of(OK + "X-A\t: 1\r\n\r\n", "malformed header name"),
                Arguments.of(OK + ": 1\r\n\r\n", "malformed header name"),
                Arguments.of(OK + "X-A 1\r\n\r\n", "malformed header name"),
                Arguments.of(OK + "X-A\r\n\r\n", "malformed header name"),
                Arguments.of(OK + "X(A): 1\r\n\r\n", "malformed header name"),
                Arguments.of(OK + "X-\u00e9: 1\r\n\r\n", "malformed header name"),
                Arguments.of(OK + "X-A: a\u0000b\r\n\r\n", "control byte in a header value"),
                Arguments.of(OK + "X-A: a\rb\r\n\r\n", "control byte in a header value"),
                Arguments.of(OK + "X-A: a\r\r\n\r\n", "control byte in a header value"),
                Arguments.of(OK + "X-A: a\u007fb\r\n\r\n", "control byte in a header value"),
                Arguments.of(OK + "X-A: a\u001bb\r\n\r\n", "control byte in a header value"),
                Arguments.of(OK + "X-A: 1\r\n\rX\r\n\r\n", "bare CR"),
                Arguments.of(OK + "Content-Length: 5, 6\r\n\r\nhello", "Content-Length values differ"),
                Arguments.of(OK + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello", "Content-Length values differ"),
                Arguments.of(OK + "Content-Length: 5\r\nX-A: b\r\ncontent-length: 5, 6\r\n\r\nhello",
                        "Content-Length values differ"),
                Arguments.of(OK + "Content-Length: 5a\r\n\r\n", "malformed Content-Length"),
                Arguments.of(OK + "Content-Length: abc\r\n\r\n", "malformed Content-Length"),
                Arguments.of(OK + "Content-Length: -1\r\n\r\n", "malformed Content-Length"),
                Arguments.of(OK + "Content-Length: +5\r\n\r\n", "malformed Content-Length"),
                Arguments.of(OK + "Content-Length: 5 5\r\n\r\n", "malformed Content-Length"),
                Arguments.of(OK + "Content-Length: 5,\r\n\r\n", "malformed Content-Length"),
                Arguments.of(OK + "Content-Length: ,5\r\n\r\n", "malformed Content-Length"),
                Arguments.of(OK + "Content-Length: 0x10\r\n\r\n", "malformed Content-Length"),
                Arguments.of(OK + "Content-Length:\r\n\r\n", "empty Content-Length"),
                Arguments.of(OK + "Content-Length: 1234567890123456789\r\n\r\n", "Content-Length too large"),
                // Transfer-Encoding overrides it, but a broken Content-Length is still refused.
                Arguments.of(OK + "Transfer-Encoding: chunked\r\nContent-Length: x\r\n\r\n", "malformed Content-Length"));
    }

    static Stream<Arguments> badChunkedBodies() {
        return Stream.of(
                Arguments.of("zz\r\n", "malformed chunk size"),
                Arguments.of("\r\n", "malformed chunk size"),
                Arguments.of(";ext\r\n0\r\n\r\n", "malformed chunk size"),
                Arguments.of(" 5\r\nhello\r\n", "malformed chunk size"),
                Arguments.of("5x\r\nhello\r\n", "malformed chunk size"),
                // Whitespace after the size may only lead to ';' or the line end.
                Arguments.of("5 junk\r\nhello\r\n", "malformed chunk size"),
                Arguments.of("5 6\r\nhello\r\n", "malformed chunk size"),
                Arguments.of("-5\r\nhello\r\n", "malformed chunk size"),
                Arguments.of("3\r\nabc\r\nq\r\n", "malformed chunk size"),
                Arguments.of("3\r\nabcd\r\n0\r\n\r\n", "chunk data longer than its size"),
                Arguments.of("3\r\nabc\rX", "chunk data longer than its size"),
                Arguments.of("5\rX", "bare CR in a chunk size line"),
                Arguments.of("5;a\rb\r\n", "bare CR in a chunk size line"),
                Arguments.of("5;a\u0000\r\nhello\r\n", "control byte in a chunk extension"),
                Arguments.of("5;a\u007f\r\nhello\r\n", "control byte in a chunk extension"),
                Arguments.of("1;" + "x".repeat(4100) + "\r\nx\r\n", "chunk size line longer than 4096 bytes"),
                Arguments.of("0".repeat(4097) + "\r\n\r\n", "chunk size line longer than 4096 bytes"),
                Arguments.of("fffffffffffffffff\r\n", "chunk size too large"),
                Arguments.of("0\r\n\rX", "bare CR after the last chunk"),
                Arguments.of("0\r\nX-T: 1\r\n\rX", "bare CR after the last chunk"));
    }

    private static void assertRefused(ParserHarness h, String fragment, String context) {
        List<Throwable> errors = h.errors();
        assertEquals(1, errors.size(), context + ": " + errors);
        ResponseParseException e = assertInstanceOf(ResponseParseException.class, errors.get(0), context);
        assertTrue(e.getMessage().contains(fragment), context + ": \"" + e.getMessage() + "\" names " + fragment);
        assertFalse(h.trace().contains("last"), context + ": no response ended");
        assertFalse(h.parser.reusable(), context);
        // Whatever comes after is dropped, even a valid response.
        int events = h.events().size();
        ByteBuf more = buf(NEXT);
        h.channel.writeInbound(more);
        assertEquals(0, more.refCnt(), context + ": what comes after the error is released");
        assertEquals(events, h.events().size(), context + ": and not passed on");
        assertFalse(h.parser.reusable(), context);
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("badHeads")
    void badHeadIsRefused(String response, String fragment) {
        try (ParserHarness h = new ParserHarness()) {
            h.write(response);
            assertEquals(List.of(), h.heads(), "no head is passed on");
            assertRefused(h, fragment, "in one read");
        }
        // The same when the head comes one byte at a time.
        try (ParserHarness h = new ParserHarness()) {
            h.writeBytewise(response);
            assertEquals(List.of(), h.heads(), "no head is passed on");
            assertRefused(h, fragment, "bytewise");
        }
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("badChunkedBodies")
    void badChunkedBodyIsRefused(String body, String fragment) {
        for (boolean keepFraming : new boolean[] {true, false}) {
            try (ParserHarness h = new ParserHarness().expect(false, keepFraming)) {
                h.write(CHUNKED + body);
                assertEquals(1, h.heads().size(), "the head was good");
                assertRefused(h, fragment, "keepFraming=" + keepFraming + ", one read");
            }
            try (ParserHarness h = new ParserHarness().expect(false, keepFraming)) {
                h.write(CHUNKED);
                h.writeBytewise(body);
                assertEquals(1, h.heads().size(), "the head was good");
                assertRefused(h, fragment, "keepFraming=" + keepFraming + ", bytewise");
            }
        }
    }

    @Test
    void badChunkedBodyInSeveralReadsIsRefused() {
        try (ParserHarness h = new ParserHarness().expect(false, true)) {
            h.write(CHUNKED + "3\r\nabc", "\r\r");
            assertRefused(h, "chunk data longer than its size", "CR CR after the data");
        }
    }

    @Test
    void headLongerThanTheMaximumIsRefused() {
        String head = OK + "X-Long: " + "v".repeat(100) + "\r\n\r\n";
        try (ParserHarness h = new ParserHarness(64)) {
            h.write(head);
            assertRefused(h, "response head longer than 64 bytes", "a whole head");
        }
        // Without waiting for its end: more than the maximum with no end yet is enough.
        try (ParserHarness h = new ParserHarness(64)) {
            h.write(head.substring(0, 40));
            assertEquals(List.of(), h.errors(), "40 bytes so far");
            h.write(head.substring(40, 70));
            assertRefused(h, "response head longer than 64 bytes", "no end yet");
        }
        try (ParserHarness h = new ParserHarness(64)) {
            h.writeBytewise(head);
            assertRefused(h, "response head longer than 64 bytes", "bytewise");
        }
    }

    @Test
    void headOfExactlyTheMaximumIsRead() {
        String head = OK + "Content-Length: 0\r\n";
        head = head + "X: " + "v".repeat(64 - head.length() - 7) + "\r\n\r\n";
        assertEquals(64, head.length());
        try (ParserHarness h = new ParserHarness(64)) {
            h.write(head);
            h.assertOneResponse(200, "", "64 bytes");
        }
        try (ParserHarness h = new ParserHarness(64)) {
            h.writeBytewise(head);
            h.assertOneResponse(200, "", "64 bytes, bytewise");
        }
    }

    @Test
    void trailerSectionLongerThanTheMaximumHeadIsRefused() {
        try (ParserHarness h = new ParserHarness(128).expect(false, true)) {
            h.write(CHUNKED + "0\r\nX-T: " + "t".repeat(200) + "\r\n\r\n");
            assertRefused(h, "trailer section longer than 128 bytes", "long trailer");
        }
    }

    @Test
    void dataPassedOnBeforeAnErrorStaysPassedOn() {
        try (ParserHarness h = new ParserHarness().expect(false, false)) {
            h.write(CHUNKED + "3\r\nabc\r\nzz\r\n");
            assertEquals("abc", h.body(), "without framing, data goes on as it is found");
            assertRefused(h, "malformed chunk size", "after some data");
        }
    }

    @Test
    void partialHeadIsReleasedWhenTheErrorComesWithItsEnd() {
        try (ParserHarness h = new ParserHarness()) {
            h.write(OK + "X-A: 1\r\n", "X-B : 2\r\n\r\n");
            assertRefused(h, "malformed header name", "cumulated head");
        }
    }

    /**
     * The parser fires the error down the pipeline; with no handler to take it, it reaches the
     * EmbeddedChannel's tail, which records it and rethrows it from writeInbound (its checkException
     * at the end of the write), once: checkException afterwards has nothing left.
     */
    @Test
    void embeddedChannelRethrowsTheErrorFromWriteInbound() {
        ResponseParser parser = new ResponseParser(64 * 1024);
        EmbeddedChannel channel = new EmbeddedChannel(parser);
        try {
            ResponseParseException e = assertThrows(ResponseParseException.class,
                    () -> channel.writeInbound(buf(OK + "X-A : 1\r\n\r\n")));
            assertEquals("malformed header name", e.getMessage());
            assertDoesNotThrow(channel::checkException, "rethrown once only");
            assertNull(channel.readInbound(), "nothing passed on");
            assertTrue(channel.isOpen(), "the parser leaves closing to the connection's handler");

            ByteBuf more = buf(NEXT);
            assertFalse(channel.writeInbound(more), "nothing passed on");
            assertEquals(0, more.refCnt(), "released");
            assertNull(channel.readInbound());
        } finally {
            assertFalse(channel.finishAndReleaseAll());
        }
    }

    @Test
    void embeddedChannelRethrowsABodyErrorAfterTheHeadWasPassedOn() {
        EmbeddedChannel channel = new EmbeddedChannel(new ResponseParser(64 * 1024));
        try {
            assertThrows(ResponseParseException.class, () -> channel.writeInbound(buf(CHUNKED + "3\r\nabcd\r\n")));
            ResponseHead head = channel.readInbound();
            assertEquals(200, head.status());
            head.release();
            assertNull(channel.readInbound(), "with framing kept, the walked bytes are not passed on");
        } finally {
            assertFalse(channel.finishAndReleaseAll());
        }
    }
}
