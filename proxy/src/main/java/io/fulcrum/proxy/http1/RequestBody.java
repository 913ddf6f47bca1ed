package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A piece of a request body as the client sent it, chunked framing included, so it can be written to
 * the backend as it stands; {@link #dataBytes()} counts its body bytes without the framing (what
 * {@code max-request-body-bytes} limits). The piece flagged {@link #last()} ends the request; it may
 * carry no data (an HTTP/2 stream's empty last DATA frame, the last chunk of a chunked body). A request
 * without a body has no pieces: its head is all of it.
 */
public final class RequestBody extends DefaultByteBufHolder {

    private final boolean last;
    private final long dataBytes;

    public RequestBody(ByteBuf bytes, long dataBytes, boolean last) {
        super(bytes);
        this.dataBytes = dataBytes;
        this.last = last;
    }

    public boolean last() {
        return last;
    }

    public long dataBytes() {
        return dataBytes;
    }

    @Override
    public RequestBody retainedDuplicate() {
        return new RequestBody(content().retainedDuplicate(), dataBytes, last);
    }

    @Override
    public String toString() {
        return "RequestBody(" + dataBytes + " data bytes" + (last ? ", last)" : ")");
    }
}
