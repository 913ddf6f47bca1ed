package io.fulcrum.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ParsedHead#output}: a forwarded head is written into the free capacity behind the socket read
 * it came in, when that read is the parser's own and nothing else holds it; else into a new buffer. Either
 * way the bytes are the same, and the received head is left as it was.
 */
class HeadOutputRoomTest {

    private static final String GET = "GET /a HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\nX-A: 1\r\n\r\n";
    private static final String GET_FORWARDED = "GET /a HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\n\r\n";

    private final List<Object> held = new ArrayList<>();

    @AfterEach
    void releaseEverything() {
        for (Object o : held) {
            ReferenceCountUtil.release(o);
        }
    }

    /** A socket read as Netty hands it over: a pooled direct buffer larger than what was read. */
    private static ByteBuf read(String text, int capacity) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(capacity);
        b.writeCharSequence(text, StandardCharsets.ISO_8859_1);
        return b;
    }

    private <T> T keep(T o) {
        held.add(o);
        return o;
    }

    private List<Object> decode(EmbeddedChannel ch, ByteBuf... reads) {
        for (ByteBuf r : reads) {
            ch.writeInbound(r);
        }
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            out.add(keep(m));
        }
        return out;
    }

    /** Where a read's memory is, taken before the read is handed to the parser (which then owns it). */
    private record Span(long start, int capacity, int written) {
        static Span of(ByteBuf read) {
            return new Span(read.memoryAddress(), read.capacity(), read.writerIndex());
        }

        boolean holds(ByteBuf out) {
            return out.hasMemoryAddress() && out.memoryAddress() >= start && out.memoryAddress() < start + capacity;
        }
    }

    private static String forward(RequestHead head) {
        ByteBuf out = RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head, 0, 2);
        try {
            RequestHeadEncoder.end(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    @Test
    void aRequestHeadIsForwardedFromBehindItsReadAndTheReceivedHeadStaysIntact() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestParser(8192, 65536, () -> { }));
        ByteBuf read = read(GET, 2048);
        Span span = Span.of(read);
        RequestHead head = assertInstanceOf(RequestHead.class, decode(ch, read).get(0));

        ByteBuf out = keep(RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head, 0, 2));
        RequestHeadEncoder.end(out);
        assertTrue(span.holds(out), "written behind the read");
        assertEquals(span.start() + span.written(), out.memoryAddress(), "right after the bytes read");
        assertEquals(GET_FORWARDED, out.toString(StandardCharsets.ISO_8859_1));
        assertEquals(GET, head.bytes().toString(StandardCharsets.ISO_8859_1), "the bytes read are untouched");
        assertEquals("example.com", head.first(RequestHead.Kind.HOST));
        ch.finishAndReleaseAll();
    }

    @Test
    void theRoomIsUsedOnce() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestParser(8192, 65536, () -> { }));
        ByteBuf read = read(GET, 2048);
        Span span = Span.of(read);
        RequestHead head = assertInstanceOf(RequestHead.class, decode(ch, read).get(0));
        ByteBuf first = keep(RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head, 0, 2));
        ByteBuf second = keep(RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head, 0, 2));
        assertTrue(span.holds(first));
        assertFalse(span.holds(second), "a second output gets a buffer of its own");
        ch.finishAndReleaseAll();
    }

    @Test
    void aReadWithoutEnoughRoomGetsANewBuffer() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestParser(8192, 65536, () -> { }));
        ByteBuf read = read(GET, GET.length() + 10);
        Span span = Span.of(read);
        RequestHead head = assertInstanceOf(RequestHead.class, decode(ch, read).get(0));
        ByteBuf out = keep(RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head, 0, 2));
        assertFalse(span.holds(out));
        RequestHeadEncoder.end(out);
        assertEquals(GET_FORWARDED, out.toString(StandardCharsets.ISO_8859_1));
        ch.finishAndReleaseAll();
    }

    @Test
    void ofTwoPipelinedRequestsInOneReadOnlyTheFirstMayUseTheRoom() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestParser(8192, 65536, () -> { }));
        String second = "GET /b HTTP/1.1\r\nHost: example.com\r\n\r\n";
        ByteBuf read = read(GET + second, 4096);
        Span span = Span.of(read);
        List<Object> messages = decode(ch, read);
        RequestHead first = assertInstanceOf(RequestHead.class, messages.get(0));
        RequestHead next = assertInstanceOf(RequestHead.class, messages.get(2));
        // Whatever order they are forwarded in, the second head never writes where the first one may have.
        ByteBuf out2 = keep(RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, next, 0, 2));
        ByteBuf out1 = keep(RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, first, 0, 2));
        assertFalse(span.holds(out2));
        assertTrue(span.holds(out1));
        RequestHeadEncoder.end(out1);
        RequestHeadEncoder.end(out2);
        assertEquals(GET_FORWARDED, out1.toString(StandardCharsets.ISO_8859_1));
        assertEquals(second, out2.toString(StandardCharsets.ISO_8859_1));
        ch.finishAndReleaseAll();
    }

    @Test
    void aHeadSplitAcrossReadsIsInTheParsersCumulationAndGetsNoRoom() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestParser(8192, 65536, () -> { }));
        ByteBuf part1 = read(GET.substring(0, 20), 2048);
        ByteBuf part2 = read(GET.substring(20), 2048);
        Span span1 = Span.of(part1);
        Span span2 = Span.of(part2);
        RequestHead head = assertInstanceOf(RequestHead.class, decode(ch, part1, part2).get(0));
        ByteBuf out = keep(RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head, 0, 2));
        assertFalse(span1.holds(out) || span2.holds(out));
        assertFalse(out.unwrap() != null && out.unwrap() == head.bytes().unwrap(), "not behind the cumulation");
        RequestHeadEncoder.end(out);
        assertEquals(GET_FORWARDED, out.toString(StandardCharsets.ISO_8859_1));
        ch.finishAndReleaseAll();
    }

    @Test
    void aResponseHeadAndItsSmallBodyGoToTheClientFromBehindTheirRead() {
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nServer: t\r\n\r\nhello";
        ResponseParser parser = new ResponseParser(64 * 1024);
        parser.expect(false, true);
        EmbeddedChannel ch = new EmbeddedChannel(parser);
        ByteBuf read = read(response, 2048);
        Span span = Span.of(read);
        List<Object> messages = decode(ch, read);
        ResponseHead head = assertInstanceOf(ResponseHead.class, messages.get(0));
        ResponseBody body = assertInstanceOf(ResponseBody.class, messages.get(1));

        ByteBuf out = keep(ResponseHeadEncoder.encode(ByteBufAllocator.DEFAULT, head, false, false, false, 5));
        out.writeBytes(body.content(), body.content().readerIndex(), body.content().readableBytes());
        assertTrue(span.holds(out));
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: t\r\n\r\nhello", out.toString(StandardCharsets.ISO_8859_1));
        assertEquals(response.substring(0, response.length() - 5), head.bytes().toString(StandardCharsets.ISO_8859_1),
                "the bytes read are untouched");
        assertEquals("hello", body.content().toString(StandardCharsets.ISO_8859_1));
        ch.finishAndReleaseAll();
    }

    @Test
    void aHeadFromAHeapReadWithoutSpareCapacityIsCopiedAsBefore() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestParser(8192, 65536, () -> { }));
        RequestHead head = assertInstanceOf(RequestHead.class,
                decode(ch, Unpooled.copiedBuffer(GET, StandardCharsets.ISO_8859_1)).get(0));
        assertEquals(GET_FORWARDED, forward(head));
        ch.finishAndReleaseAll();
    }
}
