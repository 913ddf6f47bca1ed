package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.internal.PlatformDependent;

/**
 * A backend's response head as it came: its bytes, and where in them the status line's reason and
 * each header's name and value are, plus what {@link ResponseParser} made of the framing. Nothing is
 * copied out of the bytes unless asked for ({@link #header}, {@link #toHttpResponse}): the forwarding
 * path writes the head on from the bytes themselves ({@link ResponseHeadEncoder}). A {@link #complete}
 * response's bytes hold its body too, behind the head.
 *
 * <p>Holds one reference to its bytes; {@link #release()} gives it back. Event-loop confined.
 */
public final class ResponseHead extends ParsedHead {

    private final int status;
    private final boolean http11;
    private final int reasonStart;
    private final int reasonEnd;
    private final BodyFraming framing;
    private final long contentLength;
    private final boolean keepAlive;
    private final boolean verbatim;
    /** A verbatim head's Connection: keep-alive line (the only one it leaves out), or -1. */
    private final int keepAliveLine;
    /** Where the head starts in bytes() once that line was cut out; -1 before. */
    private int editedStart = -1;

    /** How many of bytes() are the head; a complete response's body follows them. */
    private final int headLength;
    /** The body's bytes behind the head when the response is complete, else -1. */
    private final int bodyLength;

    ResponseHead(ByteBuf bytes, int headLength, int bodyLength, int status, boolean http11, int reasonStart,
                 int reasonEnd, HeaderLines lines, BodyFraming framing, long contentLength, boolean keepAlive,
                 boolean verbatim, int keepAliveLine) {
        super(bytes, lines);
        this.headLength = headLength;
        this.bodyLength = bodyLength;
        this.status = status;
        this.http11 = http11;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
        this.framing = framing;
        this.contentLength = contentLength;
        this.keepAlive = keepAlive;
        this.verbatim = verbatim;
        this.keepAliveLine = keepAliveLine;
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

    /**
     * The Content-Length the head declares, also where no body follows (an answer to HEAD, a 304), or -1:
     * none, or one that Transfer-Encoding overrides.
     */
    public long contentLength() {
        return contentLength;
    }

    /** Whether the backend keeps the connection open after this response (RFC 9112 section 9.3). */
    public boolean keepAlive() {
        return keepAlive;
    }

    /**
     * Whether this is the whole response: a final head with no body to follow (the framing says none, or a
     * Content-Length of 0), or with all its Content-Length body in the read that brought the head. Then no
     * body piece follows; {@link #bodyLength} bytes of body are kept behind the head.
     */
    public boolean complete() {
        return bodyLength >= 0;
    }

    /** The bytes of body a {@link #complete} response holds (0 for none); 0 for a head that is not complete. */
    public int bodyLength() {
        return Math.max(0, bodyLength);
    }

    int headLength() {
        return headLength;
    }

    /** A complete response's body, retained, for the caller to write. */
    public ByteBuf retainedBody() {
        return bytes().retainedSlice(headLength, bodyLength());
    }

    /**
     * A complete response as it came, head and body in one buffer, retained: only for a {@link #verbatim}
     * head. Its one hop-by-hop line, if any, is cut out in place (see {@link #retainedVerbatimHead}).
     */
    public ByteBuf retainedMessage() {
        int start = cutKeepAliveLine();
        return bytes().retainedSlice(start, headLength + bodyLength() - start);
    }

    /**
     * A {@link #verbatim} head as the client gets it, retained: its own bytes, less its Connection:
     * keep-alive line, which is cut out where it stands, as HAProxy edits a head in its buffer: the lines
     * before it move up over it (a few dozen bytes, no allocation). The bytes are edited: afterwards the
     * head's header offsets no longer hold, so this comes last, when the head is written on.
     */
    ByteBuf retainedVerbatimHead() {
        int start = cutKeepAliveLine();
        return bytes().retainedSlice(start, headLength - start);
    }

    /** Cuts the keep-alive line out once; returns where the head now starts. */
    private int cutKeepAliveLine() {
        if (editedStart >= 0) {
            return editedStart;
        }
        if (keepAliveLine < 0) {
            editedStart = 0;
            return 0;
        }
        int lineStart = nameStart(keepAliveLine);
        int lineEnd = valueEnd(keepAliveLine) + 2;          // a canonical line: CRLF right after the value
        moveUp(bytes(), lineStart, lineEnd - lineStart);
        editedStart = lineEnd - lineStart;
        return editedStart;
    }

    /**
     * Moves {@code b[0, length)} to {@code b[by, by + length)}: one memmove. HotSpot's Unsafe.copyMemory,
     * behind {@link PlatformDependent#copyMemory(long, long, long)}, copies overlapping ranges as memmove
     * does (a "conjoint" copy), as does System.arraycopy within one array. A byte or a long at a time
     * through the ByteBuf cost a bounds and a reference-count check each: 3% of the event loop's user time.
     */
    static void moveUp(ByteBuf b, int length, int by) {
        if (length < 0 || by < 0 || by > b.capacity() - length) {
            // Raw memory is written below: a bad range must never reach it.
            throw new IndexOutOfBoundsException("move " + length + " bytes by " + by + " in " + b.capacity());
        }
        if (length == 0) {
            return;
        }
        if (b.hasMemoryAddress()) {
            long at = b.memoryAddress();
            PlatformDependent.copyMemory(at, at + by, length);
        } else if (b.hasArray()) {
            System.arraycopy(b.array(), b.arrayOffset(), b.array(), b.arrayOffset() + by, length);
        } else {
            byte[] lines = new byte[length];
            b.getBytes(0, lines);
            b.setBytes(by, lines);
        }
    }

    /** Copies a complete response's body to {@code out}. */
    public void writeBodyTo(ByteBuf out) {
        ByteCopy.append(out, bytes(), headLength, bodyLength());
    }

    /**
     * Whether these bytes are what {@link ResponseHeadEncoder} would write for an HTTP/1.1 client whose
     * connection stays open: an HTTP/1.1 status line, every line ending CRLF with "name: value", and no
     * hop-by-hop header but at most one {@code Connection: keep-alive} (NGINX's), which is cut out in
     * place. Then the head goes to the client as it came, with no copy.
     */
    public boolean verbatim() {
        return verbatim;
    }

    int reasonStart() {
        return reasonStart;
    }

    int reasonEnd() {
        return reasonEnd;
    }

    /**
     * The head as a Netty response, for clients that are not HTTP/1.1 connections (HTTP/2 streams are
     * written by Netty's HTTP/2 codec).
     *
     * @param forwardedOnly leave out what is not forwarded (hop-by-hop headers, a Content-Length beside
     *                      Transfer-Encoding), as {@link ResponseHeadEncoder} does; false: every header that came
     */
    public HttpResponse toHttpResponse(boolean forwardedOnly) {
        HttpResponseStatus s = HttpResponseStatus.valueOf(status, text(reasonStart, reasonEnd));
        HttpResponse response = new DefaultHttpResponse(http11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0, s,
                DefaultHttpHeadersFactory.headersFactory().withValidation(false));
        for (int i = 0; i < headerCount(); i++) {
            if (!(forwardedOnly && isDropped(i))) {
                response.headers().add(name(i), value(i));
            }
        }
        return response;
    }

    @Override
    public String toString() {
        return "ResponseHead(" + status + ", " + framing + (framing == BodyFraming.LENGTH ? " " + contentLength : "")
                + (complete() ? ", complete" : "")
                + (keepAlive ? ", keep-alive)" : ", close)");
    }
}
