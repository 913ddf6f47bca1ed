package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A piece of a response body, as {@link ResponseParser} read it: with its chunked framing when the
 * parser keeps framing (an HTTP/1.1 client gets the bytes as they came), without it otherwise. The
 * piece flagged {@link #last()} ends the response; it may be empty.
 */
public final class ResponseBody extends DefaultByteBufHolder {

    private final boolean last;

    ResponseBody(ByteBuf bytes, boolean last) {
        super(bytes);
        this.last = last;
    }

    public boolean last() {
        return last;
    }

    @Override
    public String toString() {
        return "ResponseBody(" + content().readableBytes() + " bytes" + (last ? ", last)" : ")");
    }
}
