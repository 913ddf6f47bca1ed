package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * A client's request head as it came: its bytes, where in them each header's name and value are,
 * which of the headers the proxy acts on each one is (its {@link Kind}), and the body's framing.
 * Made by {@link RequestParser} (HTTP/1.1) or from an HTTP/2 stream's head ({@link #of}); the
 * proxy reads it without a header map, and writes it on to the backend from the bytes
 * ({@link RequestHeadEncoder}).
 *
 * <p>A head the parser could not accept carries its {@link #problem()} (400, 414, 431) and should
 * only be answered. Holds one reference to its bytes. Event-loop confined.
 */
public final class RequestHead extends ParsedHead {

    /** The headers the proxy reads or rewrites; every other header is {@link #OTHER}. */
    public static final class Kind {
        public static final byte OTHER = 0;
        public static final byte HOST = 1;
        public static final byte CONTENT_LENGTH = 2;
        public static final byte TRANSFER_ENCODING = 3;
        public static final byte CONNECTION = 4;
        public static final byte UPGRADE = 5;
        public static final byte EXPECT = 6;
        public static final byte X_FORWARDED_FOR = 7;
        public static final byte X_FORWARDED_PROTO = 8;
        public static final byte X_FORWARDED_HOST = 9;
        public static final byte FORWARDED = 10;
        public static final byte X_REQUEST_ID = 11;
        public static final byte USER_AGENT = 12;
        public static final byte REFERER = 13;
        public static final byte COOKIE = 14;
        /** Hop-by-hop headers with nothing to read: Keep-Alive, Proxy-Connection, TE, Trailer, Proxy-Authorization/-Authenticate. */
        public static final byte HOP = 15;

        private Kind() {
        }
    }

    private final HttpResponseStatus problem;
    private final HttpMethod method;
    private final String uri;
    private final boolean http11;
    /** Where the request line's text ends (before its CRLF). */
    private final int lineEnd;
    private final long contentLength;
    private final boolean chunked;
    private final boolean connectionClose;
    private final boolean connectionKeepAlive;
    private final boolean connectionUpgrade;

    RequestHead(ByteBuf bytes, HttpResponseStatus problem, HttpMethod method, String uri, boolean http11, int lineEnd,
                HeaderLines lines, long contentLength, boolean chunked, boolean connectionClose,
                boolean connectionKeepAlive, boolean connectionUpgrade) {
        super(bytes, lines);
        this.problem = problem;
        this.method = method;
        this.uri = uri;
        this.http11 = http11;
        this.lineEnd = lineEnd;
        this.contentLength = contentLength;
        this.chunked = chunked;
        this.connectionClose = connectionClose;
        this.connectionKeepAlive = connectionKeepAlive;
        this.connectionUpgrade = connectionUpgrade;
    }

    /**
     * The head of a request that came another way (an HTTP/2 stream, as Netty's HTTP/2 codec turns it
     * into an HTTP/1.1 message): written out as HTTP/1.1 and read back, so that it takes the same checks
     * and the same forwarding path as a request read from an HTTP/1.1 connection.
     */
    public static RequestHead of(ByteBufAllocator alloc, HttpRequest request, int maxLineBytes, int maxHeaderBytes) {
        HeaderBuilder lines = HeaderBuilder.forThisLoop()
                .text(request.method().name()).text(' ').text(request.uri()).text(" HTTP/1.1").end()
                .lines(request.headers()).end();
        ByteBuf out = alloc.heapBuffer(lines.length());
        lines.writeTo(out);
        return RequestParser.HEADS.get().parse(out, maxLineBytes, maxHeaderBytes);
    }

    /** A head that could not be read: only its problem is known. */
    public static RequestHead malformed(HttpResponseStatus problem) {
        return malformed(io.netty.buffer.Unpooled.EMPTY_BUFFER, problem);
    }

    static RequestHead malformed(ByteBuf bytes, HttpResponseStatus problem) {
        return new RequestHead(bytes, problem, null, "", true, 0, HeaderLines.NONE, -1, false, true, false, false);
    }

    /**
     * Why this head must be answered instead of forwarded (400, 414, 431), or null. The framing
     * rules (RFC 9112 section 6) are the parser's: an ambiguous or unknown framing is a problem here.
     */
    public HttpResponseStatus problem() {
        return problem;
    }

    /** The method; null only for a head with a {@link #problem()}. */
    public HttpMethod method() {
        return method;
    }

    /** The request target as sent ("" for a head with a problem). */
    public String uri() {
        return uri;
    }

    /** HTTP/1.1 (else HTTP/1.0). */
    public boolean http11() {
        return http11;
    }

    /** "HTTP/1.1" or "HTTP/1.0". */
    public String versionText() {
        return http11 ? "HTTP/1.1" : "HTTP/1.0";
    }

    /** The Content-Length, or -1 when there is none. */
    public long contentLength() {
        return contentLength;
    }

    /** Transfer-Encoding: chunked. */
    public boolean chunked() {
        return chunked;
    }

    /** Whether a body follows the head: chunked, or a positive Content-Length. */
    public boolean hasBody() {
        return chunked || contentLength > 0;
    }

    /** Whether the client keeps the connection after this request (RFC 9112 section 9.3). */
    public boolean keepAlive() {
        return http11 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    /** Whether a Connection header holds the token {@code upgrade}. */
    public boolean connectionUpgrade() {
        return connectionUpgrade;
    }

    /** How many headers of this kind came. */
    public int count(byte kind) {
        int n = 0;
        for (int i = 0; i < headerCount(); i++) {
            if (kind(i) == kind) {
                n++;
            }
        }
        return n;
    }

    /** The first value of a header of this kind, or null. */
    public String first(byte kind) {
        for (int i = 0; i < headerCount(); i++) {
            if (kind(i) == kind) {
                return value(i);
            }
        }
        return null;
    }

    /** Every value of headers of this kind, in order. */
    public List<String> all(byte kind) {
        List<String> values = new ArrayList<>(2);
        for (int i = 0; i < headerCount(); i++) {
            if (kind(i) == kind) {
                values.add(value(i));
            }
        }
        return values;
    }

    int lineEnd() {
        return lineEnd;
    }

    @Override
    public String toString() {
        return problem != null ? "RequestHead(" + problem.code() + ")" : "RequestHead(" + method + " " + uri + ")";
    }
}
