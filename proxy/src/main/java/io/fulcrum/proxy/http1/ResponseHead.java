package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import java.nio.charset.StandardCharsets;

/**
 * A backend's response head as it came: its bytes, and where in them the status line's reason and
 * each header's name and value are, plus what {@link ResponseParser} made of the framing. Nothing is
 * copied out of the bytes unless asked for ({@link #header}, {@link #toHttpResponse}): the forwarding
 * path writes the head on from the bytes themselves ({@link ResponseHeadEncoder}).
 *
 * <p>Holds one reference to its bytes; {@link #release()} gives it back. Event-loop confined.
 */
public final class ResponseHead extends AbstractReferenceCounted {

    /** Per header, four offsets into {@link #bytes}: name start, name end, value start, value end. */
    static final int SLOTS = 4;

    private final ByteBuf bytes;
    private final int status;
    private final boolean http11;
    private final int reasonStart;
    private final int reasonEnd;
    private final int[] offsets;
    private final int count;
    /** Bit i set: header i is hop-by-hop (or a Content-Length that chunked framing overrides) and is not forwarded. */
    private final long[] dropped;
    /** Bit i set: header i's line is exactly "name: value" CRLF, so it can be copied as it stands. */
    private final long[] canonical;
    private final BodyFraming framing;
    private final long contentLength;
    private final boolean keepAlive;

    ResponseHead(ByteBuf bytes, int status, boolean http11, int reasonStart, int reasonEnd, int[] offsets,
                 int count, long[] dropped, long[] canonical, BodyFraming framing, long contentLength, boolean keepAlive) {
        this.bytes = bytes;
        this.status = status;
        this.http11 = http11;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
        this.offsets = offsets;
        this.count = count;
        this.dropped = dropped;
        this.canonical = canonical;
        this.framing = framing;
        this.contentLength = contentLength;
        this.keepAlive = keepAlive;
    }

    public int status() {
        return status;
    }

    /** HTTP/1.1 (else HTTP/1.0). */
    public boolean http11() {
        return http11;
    }

    public BodyFraming framing() {
        return framing;
    }

    /** The Content-Length, or -1 when the body is not delimited by one. */
    public long contentLength() {
        return contentLength;
    }

    /** Whether the backend keeps the connection open after this response (RFC 9112 section 9.3). */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** The head's bytes, from the status line to the blank line that ends it. */
    ByteBuf bytes() {
        return bytes;
    }

    int headerCount() {
        return count;
    }

    int nameStart(int i) {
        return offsets[i * SLOTS];
    }

    int nameEnd(int i) {
        return offsets[i * SLOTS + 1];
    }

    int valueStart(int i) {
        return offsets[i * SLOTS + 2];
    }

    int valueEnd(int i) {
        return offsets[i * SLOTS + 3];
    }

    int reasonStart() {
        return reasonStart;
    }

    int reasonEnd() {
        return reasonEnd;
    }

    /** Whether header i is left out when the head is forwarded. */
    boolean isDropped(int i) {
        return (dropped[i >>> 6] & (1L << i)) != 0;
    }

    /** Whether header i's line reads "name: value" CRLF and runs up to the next line. */
    boolean isCanonical(int i) {
        return (canonical[i >>> 6] & (1L << i)) != 0;
    }

    /** The first value of the header {@code name} (any case), or null. Copies: not for the hot path. */
    public String header(String name) {
        for (int i = 0; i < count; i++) {
            if (nameEquals(i, name)) {
                return text(valueStart(i), valueEnd(i));
            }
        }
        return null;
    }

    private boolean nameEquals(int i, String name) {
        int start = nameStart(i);
        int len = nameEnd(i) - start;
        if (len != name.length()) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (Ascii.lower(bytes.getByte(start + k)) != Ascii.lower((byte) name.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    private String text(int start, int end) {
        return bytes.toString(start, end - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * The head as a Netty response with every header that came (hop-by-hop ones included), for clients
     * that are not HTTP/1.1 connections (HTTP/2 streams are written by Netty's HTTP/2 codec).
     */
    public HttpResponse toHttpResponse() {
        HttpResponseStatus s = HttpResponseStatus.valueOf(status, text(reasonStart, reasonEnd));
        HttpResponse response = new DefaultHttpResponse(http11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0, s,
                DefaultHttpHeadersFactory.headersFactory().withValidation(false));
        for (int i = 0; i < count; i++) {
            response.headers().add(text(nameStart(i), nameEnd(i)), text(valueStart(i), valueEnd(i)));
        }
        return response;
    }

    @Override
    protected void deallocate() {
        bytes.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        bytes.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "ResponseHead(" + status + ", " + framing + (framing == BodyFraming.LENGTH ? " " + contentLength : "")
                + (keepAlive ? ", keep-alive)" : ", close)");
    }
}
