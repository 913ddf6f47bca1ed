package io.fulcrum.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RequestParser} on an {@link EmbeddedChannel}: heads and body pieces however the input is cut
 * into reads, the header kinds and lookups, and every head it must refuse. Every buffer the tests
 * feed is checked to be released once the parser and the test are done with it.
 */
class RequestParserTest {

    /** The limits the proxy runs with by default: max-uri-bytes 8192 (+64 for method and version), max-header-bytes 16384. */
    private static final int LINE = 8192 + 64;
    private static final int HEADER = 16384;

    private static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** One parser on an embedded channel, with what it was fed and what it passed on. */
    private static final class Parser implements AutoCloseable {
        final AtomicInteger reads = new AtomicInteger();
        final List<Throwable> errors = new ArrayList<>();
        final List<ByteBuf> fed = new ArrayList<>();
        final EmbeddedChannel channel;

        /** @param catchErrors put a handler after the parser that records exception events (else the channel rethrows them) */
        Parser(int maxLine, int maxHeader, boolean catchErrors) {
            RequestParser parser = new RequestParser(maxLine, maxHeader, reads::incrementAndGet);
            if (catchErrors) {
                channel = new EmbeddedChannel(parser, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        errors.add(cause);
                    }
                });
            } else {
                channel = new EmbeddedChannel(parser);
            }
        }

        Parser() {
            this(LINE, HEADER, true);
        }

        /** One read of these bytes. */
        Parser write(byte[] b, int from, int to) {
            ByteBuf buf = Unpooled.buffer(to - from).writeBytes(b, from, to - from);
            fed.add(buf);
            channel.writeInbound(buf);
            return this;
        }

        Parser write(byte[] b) {
            return write(b, 0, b.length);
        }

        Parser write(String latin1) {
            return write(bytes(latin1));
        }

        /** Everything passed on so far, in order. */
        List<Object> drain() {
            List<Object> out = new ArrayList<>();
            Object m;
            while ((m = channel.readInbound()) != null) {
                out.add(m);
            }
            return out;
        }

        /** Closes the channel; then every buffer fed must have been released (the parser's slices of it included). */
        void closeAndAssertInputReleased() {
            channel.finishAndReleaseAll();
            for (ByteBuf b : fed) {
                assertEquals(0, b.refCnt(), "a buffer fed to the parser was not released");
            }
        }

        @Override
        public void close() {
            channel.finishAndReleaseAll();
        }
    }

    private static void releaseAll(List<Object> messages) {
        for (Object m : messages) {
            ReferenceCountUtil.release(m);
        }
    }

    /** Unpooled buffers, each one kept so that a test can see its size and whether it was released. */
    private static final class RecordingAllocator extends io.netty.buffer.AbstractByteBufAllocator {
        final List<ByteBuf> made = new ArrayList<>();

        RecordingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = io.netty.buffer.UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
            made.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = io.netty.buffer.UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
            made.add(b);
            return b;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    // ---------------------------------------------------------------- requests however they are cut

    /** A request as the test expects it: the head's text, and the body bytes exactly as sent (framing included). */
    private record Expected(String method, String uri, String host, String head, String body, long dataBytes) {
        byte[] wire() {
            return bytes(head + body);
        }
    }

    private static final String CHUNKED_BODY = "5;name=value\r\nhello\r\n"
            + "6 ; a=b;c=\"d\"\r\n world\r\n"
            + "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
            + "b\r\n\r\n0\r\n\r\nGET \r\n"       // data that looks like framing and a request
            + "0;last\r\nX-Trailer: t\r\nX-Other:  2\r\n\r\n";
    private static final long CHUNKED_DATA = 5 + 6 + 26 + 11;

    private static final Expected GET = new Expected("GET", "/a?x=1", "a.example",
            "GET /a?x=1 HTTP/1.1\r\nHost: a.example\r\nUser-Agent: test\r\n\r\n", "", 0);
    private static final Expected LENGTH = new Expected("POST", "/b", "b.example",
            "POST /b HTTP/1.1\r\nHost: b.example\r\nContent-Length: 19\r\n\r\n", "GET /x HTTP/1.1\r\n\r\n", 19);
    private static final Expected CHUNKED = new Expected("PUT", "/c", "c.example",
            "PUT /c HTTP/1.1\r\nHost: c.example\r\nTransfer-Encoding: chunked\r\n\r\n", CHUNKED_BODY, CHUNKED_DATA);
    private static final Expected EMPTY_LENGTH = new Expected("POST", "/d", "d.example",
            "POST /d HTTP/1.1\r\nHost: d.example\r\nContent-Length: 0\r\n\r\n", "", 0);

    /**
     * Feeds {@code input} as reads cut at {@code cuts} and checks what comes out against {@code expected},
     * only after the whole input is in: a head or piece held meanwhile must not have changed.
     */
    private static void assertParses(byte[] input, int[] cuts, List<Expected> expected) {
        String where = "cuts " + java.util.Arrays.toString(cuts);
        try (Parser p = new Parser()) {
            int from = 0;
            int reads = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : input.length;
                if (to > from) {
                    p.write(input, from, to);
                    reads++;
                }
                from = Math.max(from, to);
            }
            assertEquals(reads, p.reads.get(), where + ": onBytes once per read");
            assertTrue(p.errors.isEmpty(), where + ": " + p.errors);
            List<Object> out = p.drain();
            try {
                int m = 0;
                for (Expected e : expected) {
                    assertTrue(m < out.size(), where + ": missing " + e.uri());
                    RequestHead head = assertInstanceOf(RequestHead.class, out.get(m++), where);
                    assertNull(head.problem(), where);
                    assertEquals(e.method(), head.method().name(), where);
                    assertEquals(e.uri(), head.uri(), where);
                    assertEquals(e.host(), head.header("host"), where);
                    // The head's own bytes, read back after all the input: unchanged by later reads.
                    ByteBuf again = RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head, 0, 2);
                    RequestHeadEncoder.end(again);
                    String encoded = text(again);
                    again.release();
                    assertEquals(e.head(), encoded, where);
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    long data = 0;
                    boolean bodyless = e.body().isEmpty();
                    assertEquals(!bodyless, head.hasBody(), where + ": " + e.uri());
                    while (!bodyless) {
                        assertTrue(m < out.size(), where + ": body of " + e.uri() + " has no last piece");
                        RequestBody piece = assertInstanceOf(RequestBody.class, out.get(m++), where);
                        body.writeBytes(ByteBufUtil.getBytes(piece.content()));
                        data += piece.dataBytes();
                        assertTrue(piece.dataBytes() <= piece.content().readableBytes(), where);
                        if (piece.last()) {
                            break;
                        }
                    }
                    assertEquals(e.body(), body.toString(StandardCharsets.ISO_8859_1), where + ": body of " + e.uri());
                    assertEquals(e.dataBytes(), data, where + ": data bytes of " + e.uri());
                    // A request without a body is its head alone: the next message is the next request's head.
                }
                assertEquals(out.size(), m, where + ": nothing after the last request");
            } finally {
                releaseAll(out);
            }
            p.closeAndAssertInputReleased();
        }
    }

    /** Every way of cutting the input once, one byte a read, and reads of every fixed size. */
    private static void assertParsesHoweverCut(byte[] input, List<Expected> expected) {
        for (int k = 0; k <= input.length; k++) {
            assertParses(input, new int[] {k}, expected);
        }
        for (int size = 1; size <= Math.min(64, input.length); size++) {
            int[] cuts = new int[input.length / size];
            for (int i = 0; i < cuts.length; i++) {
                cuts[i] = (i + 1) * size;
            }
            assertParses(input, cuts, expected);
        }
    }

    @Test
    void getWithoutBodyIsAHeadAndOneEmptyLastPiece() {
        assertParsesHoweverCut(GET.wire(), List.of(GET));
        assertParsesHoweverCut(EMPTY_LENGTH.wire(), List.of(EMPTY_LENGTH));
    }

    @Test
    void contentLengthBodyHoweverCut() {
        assertParsesHoweverCut(LENGTH.wire(), List.of(LENGTH));
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailersHoweverCut() {
        assertParsesHoweverCut(CHUNKED.wire(), List.of(CHUNKED));
    }

    @Test
    void pipelinedRequestsInOneBufferComeOutInOrder() {
        String input = GET.head() + LENGTH.head() + LENGTH.body() + CHUNKED.head() + CHUNKED.body() + EMPTY_LENGTH.head()
                + GET.head();
        assertParses(bytes(input), new int[0], List.of(GET, LENGTH, CHUNKED, EMPTY_LENGTH, GET));
    }

    @Test
    void pipelinedRequestsHoweverCut() {
        String input = "\r\n\r\n" + GET.head() + LENGTH.head() + LENGTH.body() + "\r\n" + CHUNKED.head() + CHUNKED.body()
                + "\r\n\r\n\r\n" + EMPTY_LENGTH.head() + GET.head();
        List<Expected> expected = List.of(GET, LENGTH, CHUNKED, EMPTY_LENGTH, GET);
        byte[] wire = bytes(input);
        assertParsesHoweverCut(wire, expected);
        // Three reads: a head completed in the parser's own buffer is held while more arrives.
        for (int i = 1; i < wire.length; i += 3) {
            for (int j = i + 1; j < wire.length; j += 5) {
                assertParses(wire, new int[] {i, j}, expected);
            }
        }
    }

    @Test
    void headsAndPiecesStillHeldKeepTheirBytesWhileMoreArrives() {
        // The second read completes a head and a body in the parser's own buffer and starts another
        // head; the third read is larger than that buffer's room. What was passed on must not move.
        try (Parser p = new Parser()) {
            String first = "POST /first HTTP/1.1\r\nHost: one\r\nContent-Length: 5\r\n\r\n";
            String second = "GET /second/" + "s".repeat(80) + " HTTP/1.1\r\nHost: two\r\n";
            p.write(first.substring(0, 30));
            p.write(first.substring(30) + "hello" + second + "X-Fi");
            List<Object> held = p.drain();
            assertEquals(2, held.size());
            p.write("ll: " + "f".repeat(600) + "\r\n\r\n");
            List<Object> later = p.drain();
            try {
                RequestHead head = (RequestHead) held.get(0);
                assertEquals("one", head.header("Host"));
                assertEquals("5", head.header("Content-Length"));
                ByteBuf again = RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head, 0, 2);
                RequestHeadEncoder.end(again);
                assertEquals(first, text(again));
                again.release();
                assertEquals("hello", text(((RequestBody) held.get(1)).content()));
                assertEquals(1, later.size(), "the second head, alone: it has no body");
                RequestHead next = (RequestHead) later.get(0);
                assertEquals("two", next.header("host"));
                assertEquals(600, next.header("x-fill").length());
            } finally {
                releaseAll(held);
                releaseAll(later);
            }
        }
    }

    @Test
    void theParsersBufferStaysSmallWhileHeldHeadsPinIt() {
        // A long pipelined stream whose every read ends inside a head, every head still held (as a
        // connection's backlog holds them): the parser's own buffer can never be compacted, and must
        // still not grow with the stream.
        RecordingAllocator recording = new RecordingAllocator();
        List<Object> held = new ArrayList<>();
        try (Parser p = new Parser()) {
            p.channel.config().setAllocator(recording);
            int requests = 3000;
            String previousRest = "";
            for (int i = 0; i < requests; i++) {
                String head = "GET /r" + i + " HTTP/1.1\r\nHost: h\r\n\r\n";
                int half = head.length() / 2;
                p.write(previousRest + head.substring(0, half));
                previousRest = head.substring(half);
                held.addAll(p.drain());
            }
            p.write(previousRest);
            held.addAll(p.drain());
            assertEquals(requests, held.size(), "one head per request: they have no body");
            assertEquals("/r2999", ((RequestHead) held.get(held.size() - 1)).uri());
            assertEquals("/r0", ((RequestHead) held.get(0)).uri());
            int largest = recording.made.stream().mapToInt(ByteBuf::capacity).max().orElse(0);
            assertTrue(largest <= 1024, "the parser's buffer grew to " + largest + " bytes");
        } finally {
            releaseAll(held);
        }
        for (ByteBuf b : recording.made) {
            assertEquals(0, b.refCnt());
        }
    }

    @Test
    void leadingEmptyLinesBeforeARequestLineAreSkipped() {
        assertParsesHoweverCut(bytes("\r\n\r\n" + GET.head()), List.of(GET));
        // Empty lines in reads of their own, or cut between CR and LF.
        assertParses(bytes("\r\n\r\n\r\n" + GET.head()), new int[] {2, 3, 5, 6}, List.of(GET));
    }

    // ---------------------------------------------------------------- kinds and lookups

    private static RequestHead head(String text) {
        try (Parser p = new Parser()) {
            p.write(text);
            List<Object> out = p.drain();
            assertFalse(out.isEmpty(), "no head for " + text);
            RequestHead head = assertInstanceOf(RequestHead.class, out.get(0));
            for (int i = 1; i < out.size(); i++) {
                ReferenceCountUtil.release(out.get(i));
            }
            return head;
        }
    }

    @Test
    void headerKindsAndLookups() {
        RequestHead h = head("GET / HTTP/1.1\r\n"
                + "HOST: example.com\r\n"
                + "X-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n"
                + "Cookie: a=1\r\n"
                + "x-forwarded-for:10.0.0.3  \r\n"
                + "cookie: b=2\r\n"
                + "User-Agent: curl/8\r\n"
                + "Referer: http://r.example/\r\n"
                + "X-Request-Id: rid-1\r\n"
                + "X-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: fh\r\n"
                + "Forwarded: for=1.2.3.4\r\n"
                + "Expect: 100-continue\r\n"
                + "X-Custom:\t padded value \t\r\n"
                + "X-Empty:\r\n"
                + "Keep-Alive: 5\r\n"
                + "TE: trailers\r\n"
                + "\r\n");
        try {
            assertNull(h.problem());
            assertEquals("example.com", h.first(RequestHead.Kind.HOST));
            assertEquals(1, h.count(RequestHead.Kind.HOST));
            assertEquals(2, h.count(RequestHead.Kind.X_FORWARDED_FOR));
            assertEquals("10.0.0.1, 10.0.0.2", h.first(RequestHead.Kind.X_FORWARDED_FOR));
            assertEquals(List.of("10.0.0.1, 10.0.0.2", "10.0.0.3"), h.all(RequestHead.Kind.X_FORWARDED_FOR));
            assertEquals(List.of("a=1", "b=2"), h.all(RequestHead.Kind.COOKIE));
            assertEquals(2, h.count(RequestHead.Kind.COOKIE));
            assertEquals("curl/8", h.first(RequestHead.Kind.USER_AGENT));
            assertEquals("http://r.example/", h.first(RequestHead.Kind.REFERER));
            assertEquals("rid-1", h.first(RequestHead.Kind.X_REQUEST_ID));
            assertEquals("https", h.first(RequestHead.Kind.X_FORWARDED_PROTO));
            assertEquals("fh", h.first(RequestHead.Kind.X_FORWARDED_HOST));
            assertEquals("for=1.2.3.4", h.first(RequestHead.Kind.FORWARDED));
            assertEquals("100-continue", h.first(RequestHead.Kind.EXPECT));
            assertEquals(2, h.count(RequestHead.Kind.HOP));
            assertEquals(0, h.count(RequestHead.Kind.CONTENT_LENGTH));
            assertNull(h.first(RequestHead.Kind.CONTENT_LENGTH));
            assertEquals(List.of(), h.all(RequestHead.Kind.UPGRADE));
            // Names in any case; values without the whitespace around them.
            assertEquals("example.com", h.header("host"));
            assertEquals("example.com", h.header("Host"));
            assertEquals("10.0.0.1, 10.0.0.2", h.header("X-FORWARDED-FOR"));
            assertEquals(List.of("10.0.0.1, 10.0.0.2", "10.0.0.3"), h.headers("x-Forwarded-for"));
            assertEquals("padded value", h.header("x-custom"));
            assertEquals("", h.header("X-Empty"));
            assertNull(h.header("X-Missing"));
            assertNull(h.header("X-Custo"));
            assertEquals(List.of(), h.headers("X-Missing"));
            assertEquals(-1, h.contentLength());
            assertFalse(h.chunked());
            assertFalse(h.hasBody());
            assertTrue(h.http11());
            assertEquals("HTTP/1.1", h.versionText());
        } finally {
            h.release();
        }
    }

    @Test
    void framingOfBodies() {
        RequestHead cl = head("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0012\r\n\r\n");
        RequestHead zero = head("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        RequestHead chunked = head("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n");
        try {
            assertEquals(12, cl.contentLength());
            assertTrue(cl.hasBody());
            assertFalse(cl.chunked());
            assertEquals(0, zero.contentLength());
            assertFalse(zero.hasBody());
            assertTrue(chunked.chunked());
            assertTrue(chunked.hasBody());
            assertEquals(-1, chunked.contentLength());
            assertEquals("Chunked", chunked.first(RequestHead.Kind.TRANSFER_ENCODING));
        } finally {
            cl.release();
            zero.release();
            chunked.release();
        }
    }

    private static boolean keepAlive(String head) {
        RequestHead h = head(head);
        try {
            assertNull(h.problem(), head);
            return h.keepAlive();
        } finally {
            h.release();
        }
    }

    @Test
    void keepAliveFollowsVersionAndConnection() {
        assertTrue(keepAlive("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertTrue(keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n"));
        assertFalse(keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"));
        assertFalse(keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: CLOSE\r\n\r\n"));
        assertFalse(keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: x-a , close\r\n\r\n"));
        assertFalse(keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"));
        assertFalse(keepAlive("GET / HTTP/1.0\r\n\r\n"));
        assertFalse(keepAlive("GET / HTTP/1.0\r\nConnection: x-other\r\n\r\n"));
        assertTrue(keepAlive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
        assertTrue(keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
        assertFalse(keepAlive("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"));
        RequestHead h10 = head("GET / HTTP/1.0\r\n\r\n");
        try {
            assertFalse(h10.http11());
            assertEquals("HTTP/1.0", h10.versionText());
        } finally {
            h10.release();
        }
    }

    private static boolean upgrade(String head) {
        RequestHead h = head(head);
        try {
            assertNull(h.problem(), head);
            return h.connectionUpgrade();
        } finally {
            h.release();
        }
    }

    @Test
    void connectionUpgradeToken() {
        assertTrue(upgrade("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"));
        assertTrue(upgrade("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive,  upgrade \r\n\r\n"));
        assertTrue(upgrade("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: UPGRADE\r\n\r\n"));
        assertFalse(upgrade("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n"));
        assertFalse(upgrade("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgraded\r\n\r\n"));
        RequestHead h = head("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
        try {
            assertEquals("websocket", h.first(RequestHead.Kind.UPGRADE));
            assertEquals("Upgrade", h.first(RequestHead.Kind.CONNECTION));
        } finally {
            h.release();
        }
    }

    @Test
    void methodsStandardAndExtension() {
        for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.HEAD, HttpMethod.DELETE,
                HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT)) {
            RequestHead h = head(m.name() + " / HTTP/1.1\r\nHost: h\r\n\r\n");
            try {
                assertSame(m, h.method());
            } finally {
                h.release();
            }
        }
        for (String m : List.of("PURGE", "M-SEARCH", "PROPFIND", "X!#$%&'*+.^_`|~1", "get")) {
            RequestHead h = head(m + " /r HTTP/1.1\r\nHost: h\r\n\r\n");
            try {
                assertNull(h.problem(), m);
                assertEquals(m, h.method().name());
                assertEquals("/r", h.uri());
            } finally {
                h.release();
            }
        }
    }

    @Test
    void uriIsExactAndHighBytesRoundTripThroughTheEncoder() {
        for (String uri : List.of("/", "*", "/a/b?c=d&e=%20f#frag", "http://h.example:8080/x?y",
                "/caf\u00e9/\u00c3\u00a9?q=\u00ff\u0080", "/\"<>{}|\\^`[]")) {
            String wire = "OPTIONS " + uri + " HTTP/1.1\r\nHost: h\r\n\r\n";
            RequestHead h = head(wire);
            try {
                assertNull(h.problem(), uri);
                assertEquals(uri, h.uri());
                ByteBuf out = RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, h, 0, 0);
                RequestHeadEncoder.end(out);
                try {
                    assertArrayEquals(bytes(wire), ByteBufUtil.getBytes(out), uri);
                } finally {
                    out.release();
                }
            } finally {
                h.release();
            }
        }
    }

    // ---------------------------------------------------------------- refused heads

    /** The head the input ends in: its problem's code, after checking nothing came before or after it. */
    private static int problem(int maxLine, int maxHeader, String... reads) {
        try (Parser p = new Parser(maxLine, maxHeader, true)) {
            for (String r : reads) {
                p.write(r);
            }
            List<Object> out = p.drain();
            try {
                assertEquals(1, out.size(), "exactly one head, the refused one: " + out);
                RequestHead h = assertInstanceOf(RequestHead.class, out.get(0));
                assertNotNull(h.problem(), "should be refused: " + String.join("|", reads));
                assertNull(h.method());
                assertEquals("", h.uri());
                assertFalse(h.keepAlive());
                // Whatever comes after a refused head is dropped: it cannot be delimited.
                p.write("GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
                p.write("POST /after HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx");
                assertNull(p.channel.readInbound(), "nothing is passed on after a refused head");
                assertEquals(reads.length + 2, p.reads.get());
                assertTrue(p.errors.isEmpty());
                return h.problem().code();
            } finally {
                releaseAll(out);
                p.closeAndAssertInputReleased();
            }
        }
    }

    private static int problem(String head) {
        return problem(LINE, HEADER, head);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET / HTTP/1.1\r\nHost example.com\r\n\r\n",                      // no colon
        "GET / HTTP/1.1\r\nHost : example.com\r\n\r\n",                    // space before the colon
        "GET / HTTP/1.1\r\nHost\t: example.com\r\n\r\n",                   // tab before the colon
        "GET / HTTP/1.1\r\n: value\r\n\r\n",                               // empty name
        "GET / HTTP/1.1\r\nX-A: a\r\n  folded\r\nHost: h\r\n\r\n",         // obs-fold
        "GET / HTTP/1.1\r\nX-A: a\r\n\tfolded\r\nHost: h\r\n\r\n",         // obs-fold with a tab
        "GET / HTTP/1.1\r\n Host: h\r\n\r\n",                              // leading space on the first header
        "GET / HTTP/1.1\r\nHost: h\n\r\n",                                 // a bare LF ending a header line
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\nX-B: b\r\n\r\n",             // a bare LF inside the head
        "GET / HTTP/1.1\nHost: h\r\n\r\n",                                 // a bare LF ending the request line
        "GET / HTTP/1.1\r\nX-A: a\rb\r\nHost: h\r\n\r\n",                  // a bare CR in a value
        "GET / HTTP/1.1\r\nX-A: a\u0000b\r\nHost: h\r\n\r\n",              // NUL in a value
        "GET / HTTP/1.1\r\nX-A: a\u0001b\r\nHost: h\r\n\r\n",              // a control byte in a value
        "GET / HTTP/1.1\r\nX-A: a\u007fb\r\nHost: h\r\n\r\n",              // DEL in a value
        "GET / HTTP/1.1\r\nX-A: a\u001b\r\nHost: h\r\n\r\n",               // ESC at the end of a value
        "GET / HTTP/1.1\r\nX\u00e9: a\r\nHost: h\r\n\r\n",                 // a non-token byte in a name
        "GET / HTTP/1.2\r\nHost: h\r\n\r\n",                               // bad version
        "GET / HTTP/2.0\r\nHost: h\r\n\r\n",
        "GET / HTTP/1\r\nHost: h\r\n\r\n",
        "GET / http/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
        "GET / HTTP/1.10\r\nHost: h\r\n\r\n",
        "GET /\r\nHost: h\r\n\r\n",                                       // no version
        "GET  HTTP/1.1\r\nHost: h\r\n\r\n",                                // missing target
        "GET HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",                              // two spaces
        " / HTTP/1.1\r\nHost: h\r\n\r\n",                                  // no method
        "G@T / HTTP/1.1\r\nHost: h\r\n\r\n",                               // a non-token byte in the method
        "GET /a\u0001b HTTP/1.1\r\nHost: h\r\n\r\n",                       // a control byte in the target
        "GET /a\u007fb HTTP/1.1\r\nHost: h\r\n\r\n",                       // DEL in the target
        "GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n",                           // a tab in the target
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",   // TE + CL
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",   // CL + TE
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",  // not a lone chunked
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked;q=1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",  // two TE headers
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",           // TE on HTTP/1.0
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",            // differing
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n",        // non-numeric
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5 5\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1234567890123456789\r\n\r\n",
    })
    void malformedHeadsAre400(String head) {
        assertEquals(400, problem(head), head);
    }

    @Test
    void aHeadWithOnlyBareLineFeedsIs400AtOnce() {
        // Every line ends in a bare LF: the head never has a CRLF CRLF, yet it must be answered, not waited for.
        assertEquals(400, problem("GET / HTTP/1.1\nHost: h\n\n"));
        assertEquals(400, problem(LINE, HEADER, "GET / HTTP/1.1\n", "Host: h\n", "\n"));
        assertEquals(400, problem(LINE, HEADER, "GET / HTTP/1.1\r\nHost: h\n"));
    }

    @Test
    void overLongRequestLineIs414CompleteOrNot() {
        int maxLine = 64;
        int maxHeader = 256;
        String fits = "GET /" + "a".repeat(maxLine - 14) + " HTTP/1.1";
        assertEquals(maxLine, fits.length());
        RequestHead ok = head(maxLine, maxHeader, fits + "\r\nHost: h\r\n\r\n");
        try {
            assertNull(ok.problem());
        } finally {
            ok.release();
        }
        String tooLong = "GET /" + "a".repeat(maxLine - 13) + " HTTP/1.1";
        assertEquals(414, problem(maxLine, maxHeader, tooLong + "\r\nHost: h\r\n\r\n"));
        // A long target with a bad version is still too long.
        assertEquals(414, problem(maxLine, maxHeader, "GET /" + "a".repeat(maxLine) + " HTTP/9.9\r\n\r\n"));
        // Not complete yet: no line end in sight.
        assertEquals(414, problem(maxLine, maxHeader, "GET /" + "a".repeat(maxLine)));
        assertEquals(414, problem(maxLine, maxHeader, "GET /" + "a".repeat(maxLine / 2), "a".repeat(maxLine)));
        // The line ended, the head did not.
        assertEquals(414, problem(maxLine, maxHeader, tooLong + "\r\nHost: h\r\n"));
    }

    @Test
    void overLongHeadersAre431CompleteOrNot() {
        int maxLine = 64;
        int maxHeader = 256;
        String line = "GET / HTTP/1.1\r\n";
        // Header bytes after the request line, blank line included: exactly the limit is fine.
        String fits = "Host: h\r\nX-Fill: " + "f".repeat(maxHeader - 9 - 10 - 2) + "\r\n\r\n";
        assertEquals(maxHeader, fits.length());
        for (int cut = 1; cut < (line + fits).length(); cut += 7) {
            String all = line + fits;
            RequestHead ok = head(maxLine, maxHeader, all.substring(0, cut), all.substring(cut));
            try {
                assertNull(ok.problem(), "cut at " + cut);
            } finally {
                ok.release();
            }
        }
        String over = "Host: h\r\nX-Fill: " + "f".repeat(maxHeader - 9 - 10 - 1) + "\r\n\r\n";
        assertEquals(431, problem(maxLine, maxHeader, line + over));
        assertEquals(431, problem(maxLine, maxHeader, line + "Host: h\r\n" + "X-Many: v\r\n".repeat(40) + "\r\n"));
        // Not complete: no blank line yet, already over the limit.
        assertEquals(431, problem(maxLine, maxHeader, line + "Host: h\r\nX-Fill: " + "f".repeat(maxHeader)));
        assertEquals(431, problem(maxLine, maxHeader, line, "Host: h\r\n", "X-Many: v\r\n".repeat(30)));
    }

    private static RequestHead head(int maxLine, int maxHeader, String... reads) {
        try (Parser p = new Parser(maxLine, maxHeader, true)) {
            for (String r : reads) {
                p.write(r);
            }
            List<Object> out = p.drain();
            assertFalse(out.isEmpty());
            for (int i = 1; i < out.size(); i++) {
                ReferenceCountUtil.release(out.get(i));
            }
            return assertInstanceOf(RequestHead.class, out.get(0));
        }
    }

    // ---------------------------------------------------------------- broken chunked framing

    private static final String CHUNKED_HEAD = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";

    @ParameterizedTest
    @ValueSource(strings = {
        "zz\r\nhello\r\n0\r\n\r\n",                    // not hex
        "\r\nhello\r\n0\r\n\r\n",                      // no size at all
        ";ext\r\nhello\r\n0\r\n\r\n",                  // an extension without a size
        "-5\r\nhello\r\n0\r\n\r\n",
        "3\r\nhello\r\n0\r\n\r\n",                     // data longer than its size
        "5\r\nhello\n0\r\n\r\n",                       // a bare LF after the data (strict)
        "5\nhello\r\n0\r\n\r\n",                       // a bare LF after the size (strict)
        "5;a=b\nhello\r\n0\r\n\r\n",                   // a bare LF after an extension (strict)
        "5\r\nhello\r\n0\r\n\n",                       // a bare LF ending the body (strict)
        "0\r\n\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n",  // ... which must not make what follows a trailer
        "0\r\n\u0001X: y\r\n\r\n",                       // a control byte starting a trailer line
        "5\r\nhello\r\n0\r\nX-T: 1\n\r\n",             // a bare LF ending a trailer (strict)
        "5\rhello\r\n0\r\n\r\n",                       // a bare CR
        "5\r\nhello\r\r\n0\r\n\r\n",
        "5;a\u0001b\r\nhello\r\n0\r\n\r\n",            // a control byte in an extension
        "5\r\nhello\r\n0\r\nX-T: a\u0000\r\n\r\n",     // a control byte in a trailer
        "fffffffffffffffffff\r\n",                      // a size beyond any body
    })
    void brokenChunkedFramingIsAnExceptionEvent(String body) {
        try (Parser p = new Parser()) {
            p.write(CHUNKED_HEAD + body);
            List<Object> out = p.drain();
            try {
                assertEquals(1, p.errors.size(), body);
                assertInstanceOf(RequestParser.RequestBodyException.class, p.errors.get(0));
                RequestHead h = assertInstanceOf(RequestHead.class, out.get(0));
                assertTrue(h.chunked());
                for (Object m : out.subList(1, out.size())) {
                    assertFalse(assertInstanceOf(RequestBody.class, m).last(), "no last piece for a broken body");
                }
                // Nothing more after the break, not even a well-formed request.
                p.write("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
                assertNull(p.channel.readInbound());
                assertEquals(1, p.errors.size());
                assertEquals(2, p.reads.get());
            } finally {
                releaseAll(out);
            }
            p.closeAndAssertInputReleased();
        }
    }

    @Test
    void brokenChunkedFramingCutIntoBytesIsStillOneException() {
        byte[] wire = bytes(CHUNKED_HEAD + "5\r\nhello\r\n3\r\nabcdef\r\n0\r\n\r\n");
        try (Parser p = new Parser()) {
            for (int i = 0; i < wire.length; i++) {
                p.write(wire, i, i + 1);
            }
            List<Object> out = p.drain();
            try {
                assertEquals(1, p.errors.size());
                assertInstanceOf(RequestParser.RequestBodyException.class, p.errors.get(0));
                long data = 0;
                for (Object m : out.subList(1, out.size())) {
                    RequestBody piece = assertInstanceOf(RequestBody.class, m);
                    assertFalse(piece.last());
                    data += piece.dataBytes();
                }
                // "hello" and the three bytes the second chunk announced; the fourth broke it.
                assertEquals(8, data);
                assertEquals(wire.length, p.reads.get());
            } finally {
                releaseAll(out);
            }
            p.closeAndAssertInputReleased();
        }
    }

    @Test
    void embeddedChannelRethrowsTheBodyExceptionFromWriteInbound() {
        // With nothing after the parser to catch it, the exception event reaches the pipeline's end,
        // which EmbeddedChannel records and rethrows from the write that caused it.
        try (Parser p = new Parser(LINE, HEADER, false)) {
            ByteBuf in = Unpooled.copiedBuffer(CHUNKED_HEAD + "3\r\nhello\r\n", StandardCharsets.US_ASCII);
            p.fed.add(in);
            RequestParser.RequestBodyException e = assertThrows(RequestParser.RequestBodyException.class,
                    () -> p.channel.writeInbound(in));
            assertEquals("chunk data longer than its size", e.getMessage());
            List<Object> out = p.drain();
            try {
                assertInstanceOf(RequestHead.class, out.get(0));
            } finally {
                releaseAll(out);
            }
            p.write("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            assertNull(p.channel.readInbound());
            p.closeAndAssertInputReleased();
        }
    }

    @Test
    void overLongChunkLineAndTrailersAreRefused() {
        try (Parser p = new Parser(LINE, 64, true)) {
            p.write("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + "t".repeat(80) + "\r\n\r\n");
            releaseAll(p.drain());
            assertEquals(1, p.errors.size());
            assertTrue(p.errors.get(0).getMessage().startsWith("trailer section longer than"), p.errors.get(0).getMessage());
        }
        try (Parser p = new Parser()) {
            p.write(CHUNKED_HEAD + "5;" + "e".repeat(ChunkedFraming.MAX_CHUNK_LINE) + "\r\nhello\r\n0\r\n\r\n");
            releaseAll(p.drain());
            assertEquals(1, p.errors.size());
            assertInstanceOf(RequestParser.RequestBodyException.class, p.errors.get(0));
        }
    }

    // ---------------------------------------------------------------- reads and the channel's end

    @Test
    void onBytesRunsOncePerReadWhateverTheReadHolds() {
        try (Parser p = new Parser()) {
            p.write("GET / HT");
            assertEquals(1, p.reads.get());
            assertNull(p.channel.readInbound());
            p.write("TP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals(2, p.reads.get());
            List<Object> out = p.drain();
            releaseAll(out);
            assertEquals(2, out.size(), "two heads, each request without a body");
            p.write("\r\n");
            assertEquals(3, p.reads.get());
            p.write(CHUNKED_HEAD);
            p.write("5\r\nhel");
            p.write("lo\r\n0\r\n\r\n");
            assertEquals(6, p.reads.get());
            out = p.drain();
            try {
                assertEquals(3, out.size(), out.toString());
                assertInstanceOf(RequestHead.class, out.get(0));
                assertFalse(((RequestBody) out.get(1)).last());
                assertTrue(((RequestBody) out.get(2)).last());
            } finally {
                releaseAll(out);
            }
            p.closeAndAssertInputReleased();
        }
    }

    @Test
    void otherMessagesPassThroughUntouched() {
        try (Parser p = new Parser()) {
            Object event = "not a buffer";
            p.channel.writeInbound(event);
            assertSame(event, p.channel.readInbound());
            assertEquals(0, p.reads.get());
        }
    }

    @Test
    void anIncompleteHeadIsReleasedWhenTheChannelCloses() {
        RecordingAllocator recording = new RecordingAllocator();
        Parser p = new Parser();
        p.channel.config().setAllocator(recording);
        p.write("GET / HTTP/1.1\r\nHost: h\r\n");
        p.write("X-More: 1\r\n");
        assertNull(p.channel.readInbound());
        assertFalse(recording.made.isEmpty(), "the parser keeps its own copy of an incomplete head");
        assertEquals(1, recording.made.get(recording.made.size() - 1).refCnt());
        assertFalse(p.channel.finish());
        p.closeAndAssertInputReleased();
        for (ByteBuf b : recording.made) {
            assertEquals(0, b.refCnt(), "the parser's copy of the incomplete head went with the channel");
        }
    }

    @Test
    void aRefusedHeadHoldsItsBytesUntilReleased() {
        try (Parser p = new Parser()) {
            p.write("GET / HTTP/1.1\r\nHost : h\r\n\r\nGET / HTTP/1.1\r\n");
            List<Object> out = p.drain();
            assertEquals(1, out.size());
            ReferenceCounted h = (ReferenceCounted) out.get(0);
            assertEquals(1, h.refCnt());
            assertEquals(1, p.fed.get(0).refCnt(), "the refused head's bytes are a slice of the read");
            h.release();
            assertEquals(0, p.fed.get(0).refCnt());
        }
    }
}
