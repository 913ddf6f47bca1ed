package io.fulcrum.proxy.http1;

import static io.fulcrum.proxy.http1.ParserHarness.buf;
import static io.fulcrum.proxy.http1.ParserHarness.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.http1.ParserHarness.Piece;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ResponseParser}: heads, bodies in every framing, and how they may be cut into reads. */
class ResponseParserTest {

    // ---------------------------------------------------------------- fixtures

    private static final String LENGTH_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\n";
    private static final String LENGTH_BODY = "hello world";

    private static final String CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
            + "Trailer: Expires, X-Checksum\r\n\r\n";
    /** Chunk extensions (quoted, bare, after whitespace), a size with leading zeros, upper and lower case hex,
     * chunk data holding CRLFs and what looks like a last-chunk, and trailer fields. */
    private static final String CHUNKED_BODY = ""
            + "4;name=value\r\n" + "Wiki\r\n"
            + "00005\r\n" + "pedia\r\n"
            + "E;quoted=\"a b\";flag\r\n" + " in\r\n\r\nchunks.\r\n"
            + "1a \t; spaced\r\n" + "abcdefghijklmnopqrstuvwxyz\r\n"
            + "5\r\n" + "0\r\n\r\n\r\n"
            + "0;end\r\n"
            + "Expires: never\r\n"
            + "X-Checksum: 42\r\n"
            + "\r\n";
    private static final String CHUNKED_DATA = "Wikipedia in\r\n\r\nchunks.abcdefghijklmnopqrstuvwxyz0\r\n\r\n";

    private static ParserHarness harness(boolean keepFraming) {
        return new ParserHarness().expect(false, keepFraming);
    }

    // ---------------------------------------------------------------- Content-Length

    @Test
    void contentLengthBodyInOneRead() {
        try (ParserHarness h = harness(true)) {
            h.write(LENGTH_HEAD + LENGTH_BODY);
            h.assertOneResponse(200, LENGTH_BODY, "one read");
            ResponseHead head = h.head(0);
            assertEquals(BodyFraming.LENGTH, head.framing());
            assertEquals(11, head.contentLength());
            assertTrue(head.keepAlive());
            assertTrue(head.http11());
            assertEquals(List.of("head:200", "last"), h.trace(), "the body in the read of the head is one piece");
        }
    }

    @Test
    void aResponseThatCameWholeIsOneMessage() {
        try (ParserHarness h = harness(true)) {
            h.write(LENGTH_HEAD + LENGTH_BODY);
            assertEquals(1, h.collector.messages, "the head, holding its body");
            ResponseHead head = h.head(0);
            assertTrue(head.complete());
            assertEquals(11, head.bodyLength());
            ByteBuf message = head.retainedMessage();
            try {
                assertEquals(LENGTH_HEAD + LENGTH_BODY, text(message), "head and body as they came, in one buffer");
            } finally {
                message.release();
            }
            assertTrue(h.parser.reusable());
        }
        try (ParserHarness h = harness(true)) {
            h.write("HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            assertEquals(2, h.collector.messages, "a response without a body is its head alone");
            assertTrue(h.head(0).complete());
            assertTrue(h.head(1).complete());
            assertEquals(0, h.head(1).bodyLength());
        }
        try (ParserHarness h = harness(true)) {
            h.write(LENGTH_HEAD + "hello", " world");
            assertFalse(h.head(0).complete(), "the body did not all come with the head");
            assertEquals(3, h.collector.messages, "the head, then a piece per read");
        }
        try (ParserHarness h = new ParserHarness().expect(true, true)) {
            h.write(LENGTH_HEAD);
            assertTrue(h.head(0).complete(), "an answer to HEAD has no body whatever its Content-Length");
            assertEquals(0, h.head(0).bodyLength());
            assertEquals(1, h.collector.messages);
        }
    }

    @ParameterizedTest(name = "keepFraming={0}")
    @ValueSource(booleans = {true, false})
    void contentLengthBodySplitAtEveryByte(boolean keepFraming) {
        String response = LENGTH_HEAD + LENGTH_BODY;
        for (int cut = 1; cut < response.length(); cut++) {
            try (ParserHarness h = harness(keepFraming)) {
                h.writeSplit(response, cut);
                h.assertOneResponse(200, LENGTH_BODY, "cut at " + cut);
                assertEquals(11, h.head(0).contentLength());
                assertEquals("text/plain", h.head(0).header("content-type"), "cut at " + cut);
            }
        }
    }

    @ParameterizedTest(name = "keepFraming={0}")
    @ValueSource(booleans = {true, false})
    void contentLengthBodyOneByteAtATime(boolean keepFraming) {
        try (ParserHarness h = harness(keepFraming)) {
            h.writeBytewise(LENGTH_HEAD + LENGTH_BODY);
            h.assertOneResponse(200, LENGTH_BODY, "bytewise");
            assertEquals(LENGTH_BODY.length(), h.pieces().size(), "one piece per byte read");
        }
    }

    @Test
    void bodyPiecesAreNotHeldBackUntilTheEnd() {
        try (ParserHarness h = harness(true)) {
            h.write(LENGTH_HEAD + "hello");
            assertEquals(List.of(new Piece("hello", false, false)), h.pieces());
            assertFalse(h.parser.reusable(), "in the middle of a body");
            h.write(" world");
            h.assertOneResponse(200, LENGTH_BODY, "two reads");
        }
    }

    // ---------------------------------------------------------------- chunked

    @Test
    void chunkedKeepingFramingPassesTheBytesAsTheyCame() {
        try (ParserHarness h = harness(true)) {
            h.write(CHUNKED_HEAD + CHUNKED_BODY);
            h.assertOneResponse(200, CHUNKED_BODY, "one read");
            assertEquals(List.of("head:200", "last"), h.trace(), "kept framing: one piece per read");
            assertEquals(BodyFraming.CHUNKED, h.head(0).framing());
            assertEquals(-1, h.head(0).contentLength());
            assertTrue(h.head(0).keepAlive());
        }
    }

    @Test
    void chunkedWithoutFramingPassesOnlyTheDataThenAnEmptyLastPiece() {
        try (ParserHarness h = harness(false)) {
            h.write(CHUNKED_HEAD + CHUNKED_BODY);
            h.assertOneResponse(200, CHUNKED_DATA, "one read");
            List<Piece> pieces = h.pieces();
            assertEquals(List.of("Wiki", "pedia", " in\r\n\r\nchunks.", "abcdefghijklmnopqrstuvwxyz", "0\r\n\r\n", ""),
                    pieces.stream().map(Piece::bytes).toList(), "one piece per run of chunk data");
            assertEquals("", pieces.get(pieces.size() - 1).bytes(), "the last piece is empty");
        }
    }

    /** RFC 9112's BWS: whitespace after a chunk size, before its extension or the line end, is accepted. */
    @ParameterizedTest(name = "keepFraming={0}")
    @ValueSource(booleans = {true, false})
    void whitespaceAfterAChunkSizeBeforeItsExtensionOrLineEnd(boolean keepFraming) {
        String body = "4 ;name=value\r\nWiki\r\n5\t \r\npedia\r\n0  \r\n\r\n";
        try (ParserHarness h = harness(keepFraming)) {
            h.write(CHUNKED_HEAD + body);
            h.assertOneResponse(200, keepFraming ? body : "Wikipedia", "one read");
        }
    }

    @ParameterizedTest(name = "keepFraming={0}")
    @ValueSource(booleans = {true, false})
    void chunkedSplitAtEveryByte(boolean keepFraming) {
        String response = CHUNKED_HEAD + CHUNKED_BODY;
        String expected = keepFraming ? CHUNKED_BODY : CHUNKED_DATA;
        for (int cut = 1; cut < response.length(); cut++) {
            try (ParserHarness h = harness(keepFraming)) {
                h.writeSplit(response, cut);
                h.assertOneResponse(200, expected, "cut at " + cut);
                if (!keepFraming) {
                    assertEquals("", h.pieces().get(h.pieces().size() - 1).bytes(), "cut at " + cut);
                }
            }
        }
    }

    @ParameterizedTest(name = "keepFraming={0}")
    @ValueSource(booleans = {true, false})
    void chunkedOneByteAtATime(boolean keepFraming) {
        try (ParserHarness h = harness(keepFraming)) {
            h.writeBytewise(CHUNKED_HEAD + CHUNKED_BODY);
            h.assertOneResponse(200, keepFraming ? CHUNKED_BODY : CHUNKED_DATA, "bytewise");
        }
    }

    @ParameterizedTest(name = "keepFraming={0}")
    @ValueSource(booleans = {true, false})
    void chunkedWithBareLineFeeds(boolean keepFraming) {
        String head = "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n";
        String body = "3\nabc\n2;x=y\nde\n0\nX-T: 1\n\n";
        String response = head + body;
        for (int cut = 1; cut < response.length(); cut++) {
            try (ParserHarness h = harness(keepFraming)) {
                h.writeSplit(response, cut);
                h.assertOneResponse(200, keepFraming ? body : "abcde", "cut at " + cut);
            }
        }
    }

    @ParameterizedTest(name = "keepFraming={0}")
    @ValueSource(booleans = {true, false})
    void chunkedWithNoDataChunks(boolean keepFraming) {
        try (ParserHarness h = harness(keepFraming)) {
            h.write(CHUNKED_HEAD, "0\r\n\r\n");
            h.assertOneResponse(200, keepFraming ? "0\r\n\r\n" : "", "empty chunked body");
            assertEquals(1, h.pieces().size());
        }
    }

    @Test
    void chunkedPieceInTheMiddleOfAChunkSizeLine() {
        try (ParserHarness h = harness(true)) {
            h.write(CHUNKED_HEAD + "1", "0\r\n0123456789abcdef\r\n0\r", "\n\r\n");
            h.assertOneResponse(200, "10\r\n0123456789abcdef\r\n0\r\n\r\n", "16 bytes in one chunk");
            assertEquals(List.of("1", "0\r\n0123456789abcdef\r\n0\r", "\n\r\n"),
                    h.pieces().stream().map(Piece::bytes).toList(), "with framing, each read is one piece");
        }
    }

    @Test
    void keepFramingIsChosenPerResponse() {
        try (ParserHarness h = harness(true)) {
            h.write(CHUNKED_HEAD + "3\r\nabc\r\n0\r\n\r\n");
            h.expect(false, false);
            h.write(CHUNKED_HEAD + "3\r\nxyz\r\n0\r\n\r\n");
            assertEquals(List.of(), h.errors());
            assertEquals(List.of("3\r\nabc\r\n0\r\n\r\n", "xyz", ""), h.pieces().stream().map(Piece::bytes).toList());
            assertTrue(h.parser.reusable());
        }
    }

    // ---------------------------------------------------------------- heads across reads

    @Test
    void headSplitInsideTheBlankLineIsHeldUntilItsEnd() {
        try (ParserHarness h = harness(true)) {
            String head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
            h.write(head + "\r");
            assertEquals(List.of(), h.events(), "no head before its blank line is complete");
            assertFalse(h.parser.reusable(), "a part of a head is buffered");
            h.write("\nhi");
            h.assertOneResponse(200, "hi", "split in CRLFCRLF");
        }
        try (ParserHarness h = harness(true)) {
            h.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r", "\n\r", "\n", "h", "i");
            h.assertOneResponse(200, "hi", "split at every CR and LF of the blank line");
        }
    }

    @Test
    void headWithBareLineFeedsSplitAtEveryByte() {
        String response = "HTTP/1.1 200 OK\nContent-Length: 3\nX-A: b\n\nabc";
        for (int cut = 1; cut < response.length(); cut++) {
            try (ParserHarness h = harness(true)) {
                h.writeSplit(response, cut);
                h.assertOneResponse(200, "abc", "cut at " + cut);
                assertEquals("b", h.head(0).header("x-a"));
            }
        }
    }

    @Test
    void headLongerThanTheFirstBufferIsCumulatedIntact() {
        StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 40; i++) {
            sb.append("X-Header-").append(i).append(": ").append("v".repeat(50)).append(i).append("\r\n");
        }
        String head = sb.append("Content-Length: 4\r\n\r\n").toString();
        String response = head + "body";
        for (int step : new int[] {7, 100, 255, 256, 257, 1000}) {
            try (ParserHarness h = harness(true)) {
                for (int i = 0; i < response.length(); i += step) {
                    h.write(response.substring(i, Math.min(response.length(), i + step)));
                }
                h.assertOneResponse(200, "body", "reads of " + step);
                for (int i = 0; i < 40; i++) {
                    assertEquals("v".repeat(50) + i, h.head(0).header("x-header-" + i), "reads of " + step);
                }
                ResponseHead parsed = h.head(0);
                assertEquals(head, text(parsed.bytes().slice(0, parsed.headLength())), "the head's bytes, reads of " + step);
            }
        }
    }

    @Test
    void secondResponseOnTheConnectionIsParsedLikeTheFirst() {
        try (ParserHarness h = harness(true)) {
            h.write(LENGTH_HEAD + LENGTH_BODY);
            assertTrue(h.parser.reusable());
            h.write("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r", "\n\r\nnop");
            assertEquals(List.of("head:200", "last", "head:404", "last"), h.trace());
            assertEquals(LENGTH_BODY + "nop", h.body());
            assertTrue(h.parser.reusable());
        }
    }

    // ---------------------------------------------------------------- no body

    @Test
    void headRequestResponseHasNoBodyWhateverItsContentLength() {
        try (ParserHarness h = new ParserHarness().expect(true, true)) {
            h.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
            h.assertOneResponse(200, "", "HEAD");
            assertEquals(BodyFraming.NONE, h.head(0).framing());
            assertEquals("100", h.head(0).header("Content-Length"), "the length is forwarded as it came");
            assertTrue(h.head(0).keepAlive());
            // The next request on the connection is a GET.
            h.expect(false, true);
            h.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            assertEquals(List.of("head:200", "last", "head:200", "last"), h.trace());
            assertEquals(BodyFraming.LENGTH, h.head(1).framing());
            assertEquals("ok", h.body());
        }
    }

    @Test
    void headRequestResponseWithChunkedHasNoBody() {
        try (ParserHarness h = new ParserHarness().expect(true, true)) {
            h.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            h.assertOneResponse(200, "", "HEAD, chunked");
            assertEquals(BodyFraming.NONE, h.head(0).framing());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n",
        "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nETag: \"x\"\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
    })
    void noContentAndNotModifiedHaveNoBody(String response) {
        for (int cut = 1; cut < response.length(); cut++) {
            try (ParserHarness h = harness(true)) {
                h.writeSplit(response, cut);
                h.assertOneResponse(Integer.parseInt(response.substring(9, 12)), "", "cut at " + cut);
                assertEquals(BodyFraming.NONE, h.head(0).framing());
                assertTrue(h.head(0).keepAlive());
                assertEquals(List.of(new Piece("", true, true)), h.pieces());
            }
        }
    }

    @Test
    void contentLengthZeroEndsTheResponseAtItsHead() {
        try (ParserHarness h = harness(true)) {
            h.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            h.assertOneResponse(200, "", "Content-Length: 0");
            assertEquals(0, h.head(0).contentLength());
            assertEquals(List.of(new Piece("", true, true)), h.pieces());
            assertTrue(h.head(0).keepAlive());
        }
    }

    // ---------------------------------------------------------------- 1xx

    @Test
    void continueThenFinalResponseInOneRead() {
        String response = "HTTP/1.1 100 Continue\r\n\r\n" + LENGTH_HEAD + LENGTH_BODY;
        try (ParserHarness h = harness(true)) {
            h.write(response);
            assertEquals(List.of("head:100", "head:200", "last"), h.trace(), "the interim head has no body piece");
            assertEquals(BodyFraming.NONE, h.head(0).framing());
            assertEquals(LENGTH_BODY, h.body());
            assertTrue(h.parser.reusable());
        }
        for (int cut = 1; cut < response.length(); cut++) {
            try (ParserHarness h = harness(true)) {
                h.writeSplit(response, cut);
                List<String> trace = new ArrayList<>(h.trace());
                trace.remove("body");
                assertEquals(List.of("head:100", "head:200", "last"), trace, "cut at " + cut);
                assertEquals(List.of(), h.errors(), "cut at " + cut);
                assertEquals(LENGTH_BODY, h.body(), "cut at " + cut);
                assertTrue(h.pieces().get(h.pieces().size() - 1).reusableThen(), "cut at " + cut);
                assertTrue(h.parser.reusable(), "cut at " + cut);
            }
        }
    }

    @Test
    void severalInterimResponsesThenChunked() {
        String response = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 100 Continue\r\n\r\n"
                + CHUNKED_HEAD + CHUNKED_BODY;
        try (ParserHarness h = harness(false)) {
            h.writeBytewise(response);
            assertEquals(List.of("head:103", "head:100", "head:200", "body", "last"), h.trace());
            assertEquals("</style.css>; rel=preload", h.head(0).header("link"));
            assertEquals(CHUNKED_DATA, h.body());
        }
    }

    /**
     * An interim head read from a head split across reads shares the cumulation buffer; the final head
     * that follows it must not be moved over the interim head's bytes while someone still holds it.
     */
    @Test
    void interimHeadKeptDownstreamIsNotOverwrittenByTheHeadAfterIt() {
        try (ParserHarness h = harness(true)) {
            h.write("HTTP/1.1 100 Cont",
                    "inue\r\nX-Interim: yes\r\n\r\nHTTP/1.1 200 OK\r\nContent-Le",
                    "ngth: 300\r\n\r\n" + "x".repeat(300));
            assertEquals(List.of("head:100", "head:200", "last"), h.trace());
            ResponseHead interim = h.head(0);
            assertEquals("yes", interim.header("X-Interim"));
            assertEquals("HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n", text(interim.bytes()));
            ByteBuf encoded = ResponseHeadEncoder.encode(ByteBufAllocator.DEFAULT, interim, false, false, false);
            try {
                assertEquals("HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n", text(encoded));
            } finally {
                encoded.release();
            }
            assertEquals("x".repeat(300), h.body());
            assertEquals(300, h.head(1).contentLength());
        }
    }

    // ---------------------------------------------------------------- 101

    @Test
    void switchingProtocolsPassesTheBytesAfterItsHeadAsTheyAre() {
        String head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
        try (ParserHarness h = harness(true)) {
            h.write(head + "\u0081\u0005hello");
            assertEquals(List.of("head:101", "raw"), h.trace());
            assertEquals(BodyFraming.NONE, h.head(0).framing());
            assertEquals("websocket", h.head(0).header("upgrade"));
            assertEquals("\u0081\u0005hello", h.raw());
            // Whatever comes next is not HTTP either, even what would read as a response head.
            h.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            assertEquals(List.of("head:101", "raw"), h.trace());
            assertEquals("\u0081\u0005helloHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", h.raw());
            assertEquals(List.of(), h.errors());
        }
    }

    @Test
    void switchingProtocolsSplitAtEveryByte() {
        String response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nraw bytes\r\n\r\n";
        for (int cut = 1; cut < response.length(); cut++) {
            try (ParserHarness h = harness(true)) {
                h.writeSplit(response, cut);
                assertEquals(List.of("head:101", "raw"), h.trace(), "cut at " + cut);
                assertEquals("raw bytes\r\n\r\n", h.raw(), "cut at " + cut);
            }
        }
    }

    /**
     * What the tunnel does (Tunnel.join): while the 101 head is handled, the parser is taken out of
     * the pipeline. The bytes that came after the head in the same read reach the handler now next
     * to the pipeline's head, whether or not the head had been split across reads.
     */
    @Test
    void switchingProtocolsWhenTheParserIsRemovedWhileItsHeadIsHandled() {
        String response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nframe-1";
        for (int cut = 1; cut <= response.length(); cut++) {
            try (Removal r = new Removal(101)) {
                r.write(response.substring(0, cut));
                if (cut < response.length()) {
                    r.write(response.substring(cut));
                }
                r.write("frame-2");
                assertEquals(List.of(), r.handler.errors, "cut at " + cut);
                assertEquals(List.of(101), r.handler.statuses, "cut at " + cut);
                assertEquals("frame-1frame-2", r.handler.raw.toString(), "cut at " + cut);
                assertNull(r.channel.pipeline().get(ResponseParser.class));
            }
        }
    }

    /**
     * The parser removed while an interim head is handled, with a part of the next head in the same
     * read: nothing fails, and what the parser held is released (it is gone, nobody else would).
     */
    @Test
    void parserRemovedWhileAnInterimHeadIsHandled() {
        String response = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Le";
        for (int cut = 1; cut <= response.length(); cut++) {
            try (Removal r = new Removal(100)) {
                r.write(response.substring(0, cut));
                if (cut < response.length()) {
                    r.write(response.substring(cut));
                }
                assertEquals(List.of(), r.handler.errors, "cut at " + cut);
                assertEquals(List.of(100), r.handler.statuses, "cut at " + cut);
                assertNull(r.channel.pipeline().get(ResponseParser.class));
            }
        }
    }

    /** A parser, then a handler that removes it on a given status; every buffer tracked. */
    private static final class Removal implements AutoCloseable {
        final List<ByteBuf> tracked = new ArrayList<>();
        final RemovesParser handler;
        final EmbeddedChannel channel;

        Removal(int status) {
            handler = new RemovesParser(status);
            channel = new EmbeddedChannel(new ResponseParser(64 * 1024), handler);
            channel.config().setAllocator(new ParserHarness.TrackingAllocator(tracked));
        }

        void write(String s) {
            ByteBuf b = buf(s);
            tracked.add(b);
            channel.writeInbound(b);
        }

        @Override
        public void close() {
            channel.finishAndReleaseAll();
            ParserHarness.assertAllReleased(tracked);
        }
    }

    /** Removes the parser when it sees a head with the given status, as Tunnel.join does on a 101. */
    private static final class RemovesParser extends ChannelInboundHandlerAdapter {
        final int removeOn;
        final List<Integer> statuses = new ArrayList<>();
        final StringBuilder raw = new StringBuilder();
        final List<Throwable> errors = new ArrayList<>();

        RemovesParser(int removeOn) {
            this.removeOn = removeOn;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ResponseHead head) {
                int status = head.status();
                statuses.add(status);
                head.release();
                if (status == removeOn) {
                    ctx.pipeline().remove(ResponseParser.class);
                }
            } else if (msg instanceof ByteBuf b) {
                raw.append(text(b));
                b.release();
            } else {
                io.netty.util.ReferenceCountUtil.release(msg);
                errors.add(new AssertionError("unexpected " + msg));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }
    }

    // ---------------------------------------------------------------- close-delimited

    @Test
    void closeDelimitedBodyEndsWhenTheConnectionCloses() {
        try (ParserHarness h = harness(true)) {
            h.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nabc", "def");
            assertEquals(List.of("head:200", "body"), h.trace());
            assertEquals(BodyFraming.CLOSE, h.head(0).framing());
            assertEquals(-1, h.head(0).contentLength());
            assertFalse(h.head(0).keepAlive(), "the body ends with the connection");
            assertFalse(h.parser.reusable());
            h.channel.close();
            assertEquals(List.of("head:200", "body", "last", "inactive"), h.trace());
            assertEquals("abcdef", h.body());
            assertEquals(new Piece("", true, true), h.pieces().get(h.pieces().size() - 1));
        }
    }

    @Test
    void closeDelimitedBodySplitAtEveryByte() {
        String response = "HTTP/1.0 200 OK\r\nServer: old\r\n\r\n0\r\n\r\nnot chunked";
        for (int cut = 1; cut < response.length(); cut++) {
            try (ParserHarness h = harness(true)) {
                h.writeSplit(response, cut);
                assertFalse(h.trace().contains("last"), "cut at " + cut);
                h.channel.close();
                assertEquals(List.of("head:200", "body", "last", "inactive"), h.trace(), "cut at " + cut);
                assertEquals("0\r\n\r\nnot chunked", h.body(), "cut at " + cut);
                assertEquals(1, h.pieces().stream().filter(Piece::last).count());
            }
        }
    }

    @Test
    void closeDelimitedBodyThatIsEmpty() {
        try (ParserHarness h = harness(false)) {
            h.write("HTTP/1.1 200 OK\r\n\r\n");
            assertEquals(List.of("head:200"), h.trace());
            h.channel.close();
            assertEquals(List.of("head:200", "last", "inactive"), h.trace());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "chunked, gzip", "chunkedx", "identity"})
    void transferEncodingNotEndingInChunkedIsCloseDelimited(String coding) {
        try (ParserHarness h = harness(true)) {
            h.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: " + coding + "\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertEquals(BodyFraming.CLOSE, h.head(0).framing());
            assertFalse(h.head(0).keepAlive());
            assertEquals(List.of("head:200", "body"), h.trace(), "nothing ends the body but the close");
            h.channel.close();
            assertEquals("3\r\nabc\r\n0\r\n\r\n", h.body(), "passed on as it came");
            assertEquals(List.of("head:200", "body", "last", "inactive"), h.trace());
        }
    }

    @Test
    void transferEncodingWhoseLastCodingIsChunkedIsChunked() {
        try (ParserHarness h = harness(false)) {
            h.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            h.assertOneResponse(200, "abc", "gzip, chunked");
            assertEquals(BodyFraming.CHUNKED, h.head(0).framing());
        }
    }

    @Test
    void transferEncodingOverridesContentLength() {
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "8\r\n12345678\r\n0\r\n\r\n";
        for (int cut = 1; cut < response.length(); cut++) {
            try (ParserHarness h = harness(false)) {
                h.writeSplit(response, cut);
                h.assertOneResponse(200, "12345678", "cut at " + cut);
                assertEquals(BodyFraming.CHUNKED, h.head(0).framing());
                assertEquals(-1, h.head(0).contentLength());
            }
        }
    }

    @Test
    void connectionCloseAtTheEndOfAChunkedBodyIsNotALastPiece() {
        try (ParserHarness h = harness(true)) {
            h.write(CHUNKED_HEAD + "3\r\nabc\r\n");
            h.channel.close();
            assertEquals(List.of("head:200", "body", "inactive"), h.trace(), "cut short: no last piece");
        }
        try (ParserHarness h = harness(true)) {
            h.write(LENGTH_HEAD + "hello");
            h.channel.close();
            assertEquals(List.of("head:200", "body", "inactive"), h.trace(), "cut short: no last piece");
        }
    }

    @Test
    void connectionClosingWithAPartOfAHeadReleasesIt() {
        try (ParserHarness h = harness(true)) {
            h.write("HTTP/1.1 200 OK\r\nContent-Len");
            h.channel.close();
            assertEquals(List.of("inactive"), h.trace());
        }
    }

    @Test
    void parserRemovedWithAPartOfAHeadReleasesIt() {
        try (ParserHarness h = harness(true)) {
            h.write("HTTP/1.1 200 OK\r\nContent-Len");
            assertSame(h.parser, h.channel.pipeline().remove(ResponseParser.class));
            assertEquals(List.of(), h.events());
        }
    }

    // ---------------------------------------------------------------- keep-alive

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "true  | HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "true  | HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "true  | HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
        "false | HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "false | HTTP/1.1 200 OK\r\nConnection: CLOSE\r\nContent-Length: 0\r\n\r\n",
        "false | HTTP/1.1 200 OK\r\nConnection: x-foo, Close\r\nContent-Length: 0\r\n\r\n",
        "false | HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "false | HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
        "false | HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        "true  | HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
        "true  | HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n",
        "false | HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n",
        "false | HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n",
        "true  | HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n",
    })
    void keepAlive(String row) {
        boolean expected = Boolean.parseBoolean(row.substring(0, row.indexOf('|')).trim());
        String response = row.substring(row.indexOf('|') + 2);
        try (ParserHarness h = harness(true)) {
            h.write(response);
            assertEquals(List.of(), h.errors());
            assertEquals(expected, h.head(0).keepAlive(), response);
            assertEquals(response.startsWith("HTTP/1.1"), h.head(0).http11());
        }
    }

    // ---------------------------------------------------------------- reuse and unsolicited bytes

    @Test
    void reusableOnlyBetweenResponses() {
        try (ParserHarness h = harness(true)) {
            assertTrue(h.parser.reusable(), "nothing read yet");
            h.write("HTTP/1.1 200 OK\r\n");
            assertFalse(h.parser.reusable(), "a part of a head");
            h.write("Transfer-Encoding: chunked\r\n\r\n");
            assertFalse(h.parser.reusable(), "a body to come");
            h.write("3\r\nabc\r\n0\r\n");
            assertFalse(h.parser.reusable(), "the end of the trailer section to come");
            h.write("\r\n");
            assertTrue(h.parser.reusable());
            assertTrue(h.pieces().get(h.pieces().size() - 1).reusableThen());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiX",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhiHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nX",
        "HTTP/1.1 204 No Content\r\n\r\nX",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nX",
    })
    void unsolicitedBytesAfterAResponseCloseTheConnection(String response) {
        for (boolean keepFraming : new boolean[] {true, false}) {
            try (ParserHarness h = harness(keepFraming)) {
                h.write(response);
                assertEquals(List.of(), h.errors());
                assertEquals(1, h.heads().size(), "the bytes after the response are not read as a response");
                List<Piece> pieces = h.pieces();
                Piece last = pieces.get(pieces.size() - 1);
                assertTrue(last.last());
                assertFalse(last.reusableThen(), "not reusable already while the last piece is handled");
                assertFalse(h.parser.reusable());
                assertFalse(h.channel.isOpen(), "the parser closed the connection");
                assertEquals("inactive", h.events().get(h.events().size() - 1));
            }
        }
    }

    @Test
    void unsolicitedBytesInTheReadAfterTheLastPiece() {
        // The response ended at the end of a read: the parser cannot tell yet. A head that comes later
        // is read as a response (the connection's handler decides whether one was asked for).
        try (ParserHarness h = harness(true)) {
            h.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
            assertTrue(h.parser.reusable());
            h.write("HTTP/1.1 200 OK\r\nContent-Le");
            assertFalse(h.parser.reusable(), "a part of a head sits in the parser");
        }
    }

    @Test
    void messagesThatAreNotBuffersPassThrough() {
        try (ParserHarness h = harness(true)) {
            Object event = "not a buffer";
            h.channel.pipeline().fireChannelRead(event);
            assertEquals(List.of(event), h.events());
        }
    }
}
