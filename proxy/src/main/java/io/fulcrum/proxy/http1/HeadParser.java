package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;

/**
 * Parses one response head (status line, header lines, blank line) from a copy of its bytes into a
 * {@link ResponseHead}: offsets of every name and value, and the framing (RFC 9112 section 6).
 * Strict where a lenient reading could let the proxy and the client disagree on where the response
 * ends: obs-fold, a space before the colon, control bytes in a value, Content-Length values that
 * differ, and a malformed status line are all errors ({@link ResponseParseException}), which the
 * proxy answers as a backend failure (502).
 *
 * <p>One per event loop; its arrays are reused from head to head.
 */
final class HeadParser {

    private static final byte[] CONTENT_LENGTH = Ascii.bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = Ascii.bytes("transfer-encoding");
    private static final byte[] CONNECTION = Ascii.bytes("connection");
    private static final byte[] KEEP_ALIVE = Ascii.bytes("keep-alive");
    private static final byte[] PROXY_CONNECTION = Ascii.bytes("proxy-connection");
    private static final byte[] TE = Ascii.bytes("te");
    private static final byte[] TRAILER = Ascii.bytes("trailer");
    private static final byte[] UPGRADE = Ascii.bytes("upgrade");
    private static final byte[] PROXY_AUTHENTICATE = Ascii.bytes("proxy-authenticate");
    private static final byte[] PROXY_AUTHORIZATION = Ascii.bytes("proxy-authorization");
    private static final byte[] CHUNKED = Ascii.bytes("chunked");

    /** What a head kept for the next one: the copy buffer stays small unless heads are large. */
    private static final int KEEP_SCRATCH_BYTES = 4096;

    private byte[] a = new byte[256];
    private final ConnectionTokens connection = new ConnectionTokens();
    /** This parser's lines, head after head; each head keeps a copy of its own. */
    private HeaderLines lines = HeaderLines.scratch();

    /**
     * Parses a buffer holding one head and nothing else; the head is never {@link ResponseHead#complete}.
     *
     * @param head        the head's bytes (index 0 is the status line's first byte), ending with its blank line
     * @param headRequest the request was HEAD: the response has no body whatever its headers say
     * @return the parsed head, which takes over {@code head}
     */
    ResponseHead parse(ByteBuf head, boolean headRequest) {
        return parse(head, head.readableBytes(), headRequest, false);
    }

    /**
     * Parses the head of {@code length} bytes at {@code in}'s reader index and takes it from {@code in}.
     * When the head is the whole of a final response (its framing says no body follows), or its
     * Content-Length body has all come in {@code in} behind it, the body is taken too and the head is
     * {@link ResponseHead#complete}: the response is one message, not a head and pieces. Nothing is
     * taken from a malformed head.
     */
    ResponseHead take(ByteBuf in, int length, boolean headRequest) {
        return parse(in, length, headRequest, true);
    }

    private ResponseHead parse(ByteBuf in, int len, boolean headRequest, boolean take) {
        if (a.length < len) {
            a = new byte[Math.max(len, a.length * 2)];
        }
        in.getBytes(in.readerIndex(), a, 0, len);
        try {
            return parse(in, len, headRequest, take, a);
        } finally {
            if (a.length > KEEP_SCRATCH_BYTES) {
                a = new byte[256];
            }
            if (lines.oversized()) {
                lines = HeaderLines.scratch();
            }
        }
    }

    private ResponseHead parse(ByteBuf in, int len, boolean headRequest, boolean take, byte[] a) {
        // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF
        if (len < 12 || a[0] != 'H' || a[1] != 'T' || a[2] != 'T' || a[3] != 'P' || a[4] != '/' || a[5] != '1'
                || a[6] != '.' || (a[7] != '0' && a[7] != '1') || a[8] != ' '
                || !digit(a[9]) || !digit(a[10]) || !digit(a[11])) {
            throw new ResponseParseException("malformed status line");
        }
        boolean http11 = a[7] == '1';
        int status = (a[9] - '0') * 100 + (a[10] - '0') * 10 + (a[11] - '0');
        if (status < 100) {
            throw new ResponseParseException("status " + status);
        }
        int i = 12;
        int reasonStart = 12;
        if (a[i] == ' ') {
            reasonStart = ++i;
        } else if (a[i] != '\r' && a[i] != '\n') {
            throw new ResponseParseException("malformed status line");
        }
        while (a[i] != '\n') {
            if (a[i] == '\r') {
                if (a[i + 1] != '\n') {
                    throw new ResponseParseException("bare CR in the status line");
                }
                break;
            }
            if (Ascii.isForbiddenInValue(a[i])) {
                throw new ResponseParseException("control byte in the status line");
            }
            i++;
        }
        int reasonEnd = i;
        // Whether every line is as Fulcrum would write it (CRLF, "name: value", no space after a status
        // without a reason): see ResponseHead#verbatim.
        boolean canonical = a[i] == '\r' && (reasonEnd > reasonStart || reasonEnd == 12);
        i = a[i] == '\r' ? i + 2 : i + 1;

        HeaderLines lines = this.lines;
        lines.reset();
        connection.reset();
        long contentLength = -1;
        int contentLengthIndex = -1;
        boolean transferEncoding = false;
        boolean chunked = false;
        boolean close = false;
        boolean keepAliveToken = false;
        int hopLines = 0;
        int connectionLines = 0;
        int connectionIndex = -1;
        int connectionFlags = 0;
        while (true) {
            if (i >= len) {
                throw new ResponseParseException("head ends inside a header line");
            }
            byte b = a[i];
            if (b == '\n') {
                canonical = false;
                break;
            }
            if (b == '\r') {
                if (i + 1 >= len || a[i + 1] != '\n') {
                    throw new ResponseParseException("bare CR");
                }
                break;
            }
            if (Ascii.isOws(b)) {
                throw new ResponseParseException("obsolete line folding");
            }
            int nameStart = i;
            while (i < len && Ascii.isToken(a[i])) {
                i++;
            }
            if (i >= len || a[i] != ':' || i == nameStart) {
                throw new ResponseParseException("malformed header name");
            }
            int nameEnd = i++;
            boolean canon = i + 1 < len && a[i] == ' ' && !Ascii.isOws(a[i + 1]);
            while (i < len && Ascii.isOws(a[i])) {
                i++;
            }
            int valueStart = i;
            while (true) {
                i = Ascii.firstControl(a, i, len);
                if (i >= len || a[i] == '\n') {
                    break;
                }
                if (a[i] != '\t' && !(a[i] == '\r' && i + 1 < len && a[i + 1] == '\n')) {
                    throw new ResponseParseException("control byte in a header value");
                }
                i++;
            }
            if (i >= len) {
                throw new ResponseParseException("head ends inside a header line");
            }
            int lineEnd = i + 1;
            int valueEnd = a[i - 1] == '\r' ? i - 1 : i;
            canon &= valueEnd == i - 1;                 // ends with CRLF
            while (valueEnd > valueStart && Ascii.isOws(a[valueEnd - 1])) {
                valueEnd--;
                canon = false;
            }
            i = lineEnd;

            int index = lines.add(nameStart, nameEnd, valueStart, valueEnd, canon);
            canonical &= canon;

            boolean hop = false;
            switch (nameEnd - nameStart) {
                case 2 -> hop = Ascii.equalsLower(a, nameStart, nameEnd, TE);
                case 7 -> hop = Ascii.equalsLower(a, nameStart, nameEnd, TRAILER)
                        || Ascii.equalsLower(a, nameStart, nameEnd, UPGRADE);
                case 10 -> {
                    if (Ascii.equalsLower(a, nameStart, nameEnd, CONNECTION)) {
                        hop = true;
                        int tokens = connection.read(a, valueStart, valueEnd);
                        connectionLines++;
                        connectionIndex = index;
                        connectionFlags |= tokens;
                        close |= (tokens & ConnectionTokens.CLOSE) != 0;
                        keepAliveToken |= (tokens & ConnectionTokens.KEEP_ALIVE) != 0;
                    } else {
                        hop = Ascii.equalsLower(a, nameStart, nameEnd, KEEP_ALIVE);
                    }
                }
                case 14 -> {
                    if (Ascii.equalsLower(a, nameStart, nameEnd, CONTENT_LENGTH)) {
                        long value = contentLength(valueStart, valueEnd);
                        if (contentLength >= 0 && contentLength != value) {
                            throw new ResponseParseException("Content-Length values differ");
                        }
                        if (contentLength >= 0) {
                            hop = true;                 // the same value twice: forward it once
                        } else {
                            contentLengthIndex = index;
                        }
                        contentLength = value;
                    }
                }
                case 16 -> hop = Ascii.equalsLower(a, nameStart, nameEnd, PROXY_CONNECTION);
                case 17 -> {
                    if (Ascii.equalsLower(a, nameStart, nameEnd, TRANSFER_ENCODING)) {
                        transferEncoding = true;
                        chunked = lastTokenIsChunked(valueStart, valueEnd);
                    }
                }
                case 18 -> hop = Ascii.equalsLower(a, nameStart, nameEnd, PROXY_AUTHENTICATE);
                case 19 -> hop = Ascii.equalsLower(a, nameStart, nameEnd, PROXY_AUTHORIZATION);
                default -> {
                }
            }
            if (hop) {
                lines.drop(index);
                hopLines++;
            }
        }
        if (connection.namesAny()) {
            dropNamed(lines);
        }
        if (transferEncoding && contentLengthIndex >= 0) {
            // RFC 9112 section 6.3: Transfer-Encoding overrides Content-Length, which is not forwarded
            // (also where no body follows, so that the client never sees both).
            lines.drop(contentLengthIndex);
            contentLength = -1;
        }

        BodyFraming framing;
        if (status < 200 || headRequest || status == 204 || status == 304) {
            framing = BodyFraming.NONE;
        } else if (transferEncoding) {
            framing = chunked ? BodyFraming.CHUNKED : BodyFraming.CLOSE;
        } else if (contentLength >= 0) {
            framing = BodyFraming.LENGTH;
        } else {
            framing = BodyFraming.CLOSE;
        }
        boolean keepAlive = framing != BodyFraming.CLOSE && (http11 ? !close : keepAliveToken && !close);
        // Nothing to leave out, or only a "Connection: keep-alive", which can be cut out where it stands.
        boolean onlyKeepAlive = hopLines == 0
                || (hopLines == 1 && connectionLines == 1 && connectionFlags == ConnectionTokens.KEEP_ALIVE);
        boolean verbatim = http11 && canonical && onlyKeepAlive && !connection.namesAny()
                && !(transferEncoding && contentLengthIndex >= 0);
        int keepAliveLine = verbatim && hopLines == 1 ? connectionIndex : -1;
        int bodyLength = -1;
        if (take && status >= 200) {
            if (framing == BodyFraming.NONE) {
                bodyLength = 0;
            } else if (framing == BodyFraming.LENGTH && contentLength <= in.readableBytes() - len) {
                bodyLength = (int) contentLength;
            }
        }
        ByteBuf bytes = take ? in.readRetainedSlice(len + Math.max(0, bodyLength)) : in;
        return new ResponseHead(bytes, len, bodyLength, status, http11, reasonStart, reasonEnd, lines.copy(false),
                framing, framing == BodyFraming.CHUNKED ? -1 : contentLength, keepAlive, verbatim, keepAliveLine);
    }

    /**
     * Marks every header a Connection value names as hop-by-hop (RFC 9110 section 7.6.1), except the
     * framing headers: dropping those would change where the response ends.
     */
    private void dropNamed(HeaderLines lines) {
        for (int h = 0; h < lines.count(); h++) {
            int ns = lines.nameStart(h);
            int ne = lines.nameEnd(h);
            if (Ascii.equalsLower(a, ns, ne, CONTENT_LENGTH) || Ascii.equalsLower(a, ns, ne, TRANSFER_ENCODING)) {
                continue;
            }
            if (connection.names(a, ns, ne)) {
                lines.drop(h);
            }
        }
    }

    /** 1*DIGIT, or a list of equal ones ("5, 5", RFC 9110 section 8.6). */
    private long contentLength(int start, int end) {
        long value = -1;
        int i = start;
        while (i < end) {
            long v = 0;
            int digits = 0;
            while (i < end && digit(a[i])) {
                if (++digits > 18) {
                    throw new ResponseParseException("Content-Length too large");
                }
                v = v * 10 + (a[i++] - '0');
            }
            if (digits == 0) {
                throw new ResponseParseException("malformed Content-Length");
            }
            if (value >= 0 && value != v) {
                throw new ResponseParseException("Content-Length values differ");
            }
            value = v;
            while (i < end && Ascii.isOws(a[i])) {
                i++;
            }
            if (i < end) {
                if (a[i] != ',') {
                    throw new ResponseParseException("malformed Content-Length");
                }
                i++;
                while (i < end && Ascii.isOws(a[i])) {
                    i++;
                }
                if (i == end) {
                    throw new ResponseParseException("malformed Content-Length");
                }
            }
        }
        if (value < 0) {
            throw new ResponseParseException("empty Content-Length");
        }
        return value;
    }

    /** Whether the final coding of a Transfer-Encoding value is chunked (RFC 9112 section 6.3). */
    private boolean lastTokenIsChunked(int start, int end) {
        int e = end;
        int s = e;
        while (s > start && a[s - 1] != ',') {
            s--;
        }
        while (s < e && Ascii.isOws(a[s])) {
            s++;
        }
        // A coding may carry parameters (";q=..." is not allowed here, but be exact): compare the token.
        return Ascii.equalsLower(a, s, e, CHUNKED);
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }
}
