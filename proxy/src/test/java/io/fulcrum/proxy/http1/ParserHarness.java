package io.fulcrum.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ResponseParser} in an {@link EmbeddedChannel}, followed by a handler that records what the
 * parser passes on: heads are kept (and released by {@link #close()}), body pieces and raw bytes are
 * copied out as text and released at once, exceptions are recorded instead of reaching the channel's
 * tail. A {@link ResponseHead#complete} head is recorded as its head and then its body as the last
 * piece, so that every framing reads the same in the tests; {@link Collector#messages} tells them apart. Strings are bytes: every char is one ISO-8859-1 byte.
 */
final class ParserHarness implements AutoCloseable {

    /** One body piece as it arrived, and what the parser said about reuse while it was being handled. */
    record Piece(String bytes, boolean last, boolean reusableThen) {
    }

    final ResponseParser parser;
    final Collector collector;
    final EmbeddedChannel channel;
    /** Every buffer written in, and every buffer the parser allocated: all must be released in the end. */
    final List<ByteBuf> tracked = new ArrayList<>();

    ParserHarness() {
        this(64 * 1024);
    }

    ParserHarness(int maxHeadBytes) {
        parser = new ResponseParser(maxHeadBytes);
        collector = new Collector(parser);
        channel = new EmbeddedChannel(parser, collector);
        channel.config().setAllocator(new TrackingAllocator(tracked));
    }

    ParserHarness expect(boolean headRequest, boolean keepFraming) {
        parser.expect(headRequest, keepFraming);
        return this;
    }

    static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    static String text(ByteBuf b) {
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Writes each string as one read. */
    ParserHarness write(String... reads) {
        for (String r : reads) {
            ByteBuf b = buf(r);
            tracked.add(b);
            channel.writeInbound(b);
        }
        return this;
    }

    /** Two reads: {@code s[0, cut)} and {@code s[cut, end)}. */
    ParserHarness writeSplit(String s, int cut) {
        return write(s.substring(0, cut), s.substring(cut));
    }

    /** One read per byte. */
    ParserHarness writeBytewise(String s) {
        for (int i = 0; i < s.length(); i++) {
            write(s.substring(i, i + 1));
        }
        return this;
    }

    List<Object> events() {
        return collector.events;
    }

    List<ResponseHead> heads() {
        return collector.heads;
    }

    ResponseHead head(int i) {
        return collector.heads.get(i);
    }

    List<Piece> pieces() {
        List<Piece> out = new ArrayList<>();
        for (Object e : collector.events) {
            if (e instanceof Piece p) {
                out.add(p);
            }
        }
        return out;
    }

    String body() {
        StringBuilder sb = new StringBuilder();
        for (Piece p : pieces()) {
            sb.append(p.bytes());
        }
        return sb.toString();
    }

    String raw() {
        StringBuilder sb = new StringBuilder();
        for (Object e : collector.events) {
            if (e instanceof Raw r) {
                sb.append(r.bytes());
            }
        }
        return sb.toString();
    }

    List<Throwable> errors() {
        return collector.errors;
    }

    /**
     * What happened, in order, one word each: "head:200", "body" (a piece that is not the last),
     * "last", "raw", "error", "inactive". Runs of "body" are folded into one, since how many pieces a
     * body comes in depends on how it was read.
     */
    List<String> trace() {
        List<String> out = new ArrayList<>();
        for (Object e : collector.events) {
            String word;
            if (e instanceof ResponseHead h) {
                word = "head:" + h.status();
            } else if (e instanceof Piece p) {
                word = p.last() ? "last" : "body";
            } else if (e instanceof Raw) {
                word = "raw";
            } else if (e instanceof Throwable) {
                word = "error";
            } else {
                word = String.valueOf(e);
            }
            if (!(word.equals("body") || word.equals("raw")) || out.isEmpty() || !out.get(out.size() - 1).equals(word)) {
                out.add(word);
            }
        }
        return out;
    }

    /**
     * One response with the given status whose body reads {@code body}, with nothing wrong: one head,
     * then pieces (none empty but the last), exactly one last piece, which is the final event, during
     * which and after which the connection is reusable.
     */
    void assertOneResponse(int status, String body, String context) {
        assertEquals(List.of(), errors(), context);
        assertEquals(1, heads().size(), context + ": heads");
        assertEquals(status, head(0).status(), context);
        List<Object> events = events();
        assertTrue(events.get(0) instanceof ResponseHead, context + ": the head comes first");
        List<Piece> pieces = pieces();
        assertEquals(events.size() - 1, pieces.size(), context + ": only pieces follow the head: " + events);
        for (int i = 0; i < pieces.size() - 1; i++) {
            assertFalse(pieces.get(i).last(), context + ": a last piece before the end: " + pieces);
            assertFalse(pieces.get(i).bytes().isEmpty(), context + ": an empty piece that is not the last");
        }
        Piece last = pieces.get(pieces.size() - 1);
        assertTrue(last.last(), context + ": the final piece is flagged last");
        assertTrue(last.reusableThen(), context + ": reusable while the last piece is handled");
        assertEquals(body, body(), context + ": body");
        assertTrue(parser.reusable(), context + ": reusable after");
        assertTrue(channel.isOpen(), context + ": the channel stays open");
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
        collector.release();
        assertAllReleased(tracked);
    }

    static void assertAllReleased(List<ByteBuf> buffers) {
        for (int i = 0; i < buffers.size(); i++) {
            assertEquals(0, buffers.get(i).refCnt(), "buffer " + i + " of " + buffers.size() + " is released");
        }
    }

    /** Unpooled heap buffers, each remembered. */
    static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final List<ByteBuf> tracked;

        TrackingAllocator(List<ByteBuf> tracked) {
            super(false);
            this.tracked = tracked;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
            tracked.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    record Raw(String bytes) {
    }

    /** Records what reaches it; releases everything but heads, which {@link #release()} gives back. */
    static final class Collector extends ChannelInboundHandlerAdapter {
        private final ResponseParser parser;
        final List<Object> events = new ArrayList<>();
        final List<ResponseHead> heads = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();

        Collector(ResponseParser parser) {
            this.parser = parser;
        }

        /** How many messages the parser passed on (a complete response is one, recorded as a head and a last piece). */
        int messages;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            messages++;
            if (msg instanceof ResponseHead h) {
                heads.add(h);
                events.add(h);
                if (h.complete()) {
                    // The body that came with the head, as the last piece would have carried it.
                    ByteBuf body = h.retainedBody();
                    try {
                        events.add(new Piece(text(body), true, parser.reusable()));
                    } finally {
                        body.release();
                    }
                }
            } else if (msg instanceof ResponseBody piece) {
                try {
                    events.add(new Piece(text(piece.content()), piece.last(), piece.last() && parser.reusable()));
                } finally {
                    piece.release();
                }
            } else if (msg instanceof ByteBuf b) {
                try {
                    events.add(new Raw(text(b)));
                } finally {
                    b.release();
                }
            } else {
                events.add(msg);
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
            events.add(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            events.add("inactive");
            ctx.fireChannelInactive();
        }

        void release() {
            for (ResponseHead h : heads) {
                if (h.refCnt() > 0) {
                    h.release();
                }
            }
            heads.clear();
        }
    }
}
