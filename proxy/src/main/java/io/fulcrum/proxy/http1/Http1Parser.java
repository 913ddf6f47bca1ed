package io.fulcrum.proxy.http1;

import io.fulcrum.proxy.clock.ReadClock;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * What the request and response parsers share: reads arrive as buffers, what is parsed from them is
 * passed on as slices (no copy), and only a head split across reads is copied, into a cumulation kept
 * until the rest of it comes. A {@link Http1ParseException} gives the connection up: it is fired as an
 * exception and everything after it is dropped.
 *
 * <p>While a read is decoded its buffer, cumulation included, belongs to that read, not to the parser:
 * a handler the parsed pieces reach may ask whether the parser is between messages (the exchange at a
 * response's end) or remove the parser (the tunnel after a 101). Event-loop confined.
 */
abstract class Http1Parser extends ChannelInboundHandlerAdapter {

    /** The start of a head, kept between reads; null when no head is under way. */
    private ByteBuf partial;
    /** The buffer being decoded continues {@link #partial}, so {@link #searched} applies to it. */
    private boolean cumulated;
    /** Bytes of the cumulation already searched for the head's end. */
    private int searched;
    /** The connection was given up: whatever arrives is dropped. */
    private boolean broken;

    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ReadClock clock = ReadClock.begin();
        try {
            decodeRead(ctx, in);
        } finally {
            clock.end();
        }
    }

    private void decodeRead(ChannelHandlerContext ctx, ByteBuf in) {
        bytesArrived();
        if (broken) {
            in.release();
            return;
        }
        ByteBuf buf = in;
        cumulated = partial != null;
        if (cumulated) {
            buf = append(ctx, partial, in);
            partial = null;
        }
        try {
            decode(ctx, buf);
        } catch (Http1ParseException e) {
            giveUp();
            ctx.fireExceptionCaught(e);
        } finally {
            if (!broken && awaitingHead() && buf.isReadable() && !ctx.isRemoved()) {
                // The start of a head, not all of it: keep it (a copy of a read's buffer) until the rest comes.
                if (cumulated) {
                    partial = buf;
                } else {
                    partial = ctx.alloc().buffer(Math.max(256, buf.readableBytes() * 2));
                    partial.writeBytes(buf);
                    buf.release();
                }
            } else {
                buf.release();
            }
        }
    }

    private static ByteBuf append(ChannelHandlerContext ctx, ByteBuf partial, ByteBuf in) {
        try {
            if (partial.writableBytes() < in.readableBytes() && partial.refCnt() == 1) {
                // Not while a head read from it is held (an interim one): its bytes would be overwritten.
                partial.discardReadBytes();
            }
            if (partial.writableBytes() < in.readableBytes()) {
                // Sized by what it holds, not by the old capacity: while slices are held nothing is
                // discarded, and doubling the capacity each time would grow without bound.
                ByteBuf bigger = ctx.alloc().buffer(Math.max(256, 2 * (partial.readableBytes() + in.readableBytes())));
                bigger.writeBytes(partial);
                partial.release();
                partial = bigger;
            }
            partial.writeBytes(in);
            return partial;
        } finally {
            in.release();
        }
    }

    /**
     * The index of the LF that ends the head starting at {@code buf}'s reader index (the last of
     * CRLF CRLF, or with {@code bareLf} also of LF LF and LF CRLF), or -1 when it has not all come: then
     * the bytes searched are remembered, and the next read's search resumes near where this one ended.
     * Without {@code bareLf} the first LF not after a CR ends the head there: such a head cannot be valid,
     * and it is answered at once rather than waited for.
     */
    final int findHeadEnd(ByteBuf buf, boolean bareLf) {
        int start = buf.readerIndex();
        int end = buf.writerIndex();
        int i = start + (cumulated ? Math.max(0, searched - 3) : 0);
        while (i < end) {
            int lf = buf.indexOf(i, end, Ascii.LF);
            if (lf < 0) {
                break;
            }
            if (!bareLf && (lf == start || buf.getByte(lf - 1) != Ascii.CR)) {
                searched = 0;
                return lf;
            }
            if (bareLf && lf + 1 < end && buf.getByte(lf + 1) == Ascii.LF) {
                searched = 0;
                return lf + 1;
            }
            if (lf + 2 < end && buf.getByte(lf + 1) == Ascii.CR && buf.getByte(lf + 2) == Ascii.LF) {
                searched = 0;
                return lf + 2;
            }
            i = lf + 1;
        }
        searched = buf.readableBytes();
        return -1;
    }

    /** Whether no message is under way: the parser is between messages, nothing of the next one kept. */
    final boolean idle() {
        return !broken && awaitingHead() && partial == null;
    }

    /** Whether the connection was given up. */
    final boolean broken() {
        return broken;
    }

    /** Gives the connection up (a parse error, or bytes that cannot be framed): whatever arrives is dropped. */
    final void giveUp() {
        broken = true;
    }

    /**
     * Parses what it can of {@code buf}, passing messages on; leaves an incomplete head unread, and
     * stops once the connection is given up.
     */
    abstract void decode(ChannelHandlerContext ctx, ByteBuf buf);

    /** Whether the next bytes start a head (so that unread bytes left by {@link #decode} are kept). */
    abstract boolean awaitingHead();

    /** Told of every read, before it is parsed; {@link ReadClock#now} is the read's time. */
    void bytesArrived() {
    }

    final void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePartial();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePartial();
    }
}
