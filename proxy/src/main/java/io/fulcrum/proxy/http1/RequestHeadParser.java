package io.fulcrum.proxy.http1;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses one request head (request line, header lines, blank line; CRLF line ends only, as
 * {@code setStrictLineParsing} made Netty's decoder) from a copy of its bytes into a
 * {@link RequestHead}. What it cannot accept becomes the head's problem instead of an exception:
 * the client gets an answer (SPEC section 6), and a malformed head is never forwarded. The framing
 * rules that keep proxy and backend agreeing on where a request ends (RFC 9112 section 6) are
 * checked here: a lone {@code chunked}, or one valid Content-Length, and never both.
 *
 * <p>One per event loop ({@link RequestParser}); its scratch array is reused from head to head.
 */
final class RequestHeadParser {

    private static final byte[] HOST = Ascii.bytes("host");
    private static final byte[] CONTENT_LENGTH = Ascii.bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = Ascii.bytes("transfer-encoding");
    private static final byte[] CONNECTION = Ascii.bytes("connection");
    private static final byte[] UPGRADE = Ascii.bytes("upgrade");
    private static final byte[] EXPECT = Ascii.bytes("expect");
    private static final byte[] X_FORWARDED_FOR = Ascii.bytes("x-forwarded-for");
    private static final byte[] X_FORWARDED_PROTO = Ascii.bytes("x-forwarded-proto");
    private static final byte[] X_FORWARDED_HOST = Ascii.bytes("x-forwarded-host");
    private static final byte[] FORWARDED = Ascii.bytes("forwarded");
    private static final byte[] X_REQUEST_ID = Ascii.bytes("x-request-id");
    private static final byte[] USER_AGENT = Ascii.bytes("user-agent");
    private static final byte[] REFERER = Ascii.bytes("referer");
    private static final byte[] COOKIE = Ascii.bytes("cookie");
    private static final byte[] KEEP_ALIVE = Ascii.bytes("keep-alive");
    private static final byte[] PROXY_CONNECTION = Ascii.bytes("proxy-connection");
    private static final byte[] TE = Ascii.bytes("te");
    private static final byte[] TRAILER = Ascii.bytes("trailer");
    private static final byte[] PROXY_AUTHENTICATE = Ascii.bytes("proxy-authenticate");
    private static final byte[] PROXY_AUTHORIZATION = Ascii.bytes("proxy-authorization");
    private static final byte[] CHUNKED = Ascii.bytes("chunked");

    private static final HttpMethod[] METHODS = {
        HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.HEAD, HttpMethod.DELETE,
        HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT,
    };
    private static final byte[][] METHOD_BYTES = new byte[METHODS.length][];

    static {
        for (int i = 0; i < METHODS.length; i++) {
            METHOD_BYTES[i] = Ascii.bytes(METHODS[i].name());
        }
    }

    private static final int KEEP_SCRATCH_BYTES = 4096;

    private byte[] a = new byte[256];
    private final ConnectionTokens connection = new ConnectionTokens();
    /** This parser's lines, head after head; each head keeps a copy of its own. */
    private HeaderLines lines = HeaderLines.scratch();

    /**
     * @param head            the head's bytes, from the request line's first byte to the blank line's LF
     * @param maxLineBytes    a longer request line is 414
     * @param maxHeaderBytes  longer header lines (all of them, after the request line) are 431
     * @return the parsed head, which takes over {@code head}
     */
    RequestHead parse(ByteBuf head, int maxLineBytes, int maxHeaderBytes) {
        int len = head.readableBytes();
        if (a.length < len) {
            a = new byte[Math.max(len, a.length * 2)];
        }
        head.getBytes(head.readerIndex(), a, 0, len);
        try {
            return parse(head, len, maxLineBytes, maxHeaderBytes);
        } finally {
            if (a.length > KEEP_SCRATCH_BYTES) {
                a = new byte[256];
            }
            if (lines.oversized()) {
                lines = HeaderLines.scratch();
            }
        }
    }

    private RequestHead parse(ByteBuf head, int len, int maxLineBytes, int maxHeaderBytes) {
        byte[] a = this.a;
        // Request line: method SP request-target SP HTTP-version CRLF
        int i = 0;
        while (i < len && Ascii.isToken(a[i])) {
            i++;
        }
        int methodEnd = i;
        if (methodEnd == 0 || i >= len || a[i] != ' ') {
            return bad(head, null);
        }
        int targetStart = ++i;
        while (i < len && (a[i] & 0xff) > 0x20 && a[i] != 0x7f) {
            i++;
        }
        int targetEnd = i;
        if (i > maxLineBytes) {
            return RequestHead.malformed(head, HttpResponseStatus.REQUEST_URI_TOO_LONG);
        }
        if (targetEnd == targetStart || i + 10 > len || a[i] != ' ' || a[i + 1] != 'H' || a[i + 2] != 'T'
                || a[i + 3] != 'T' || a[i + 4] != 'P' || a[i + 5] != '/' || a[i + 6] != '1' || a[i + 7] != '.'
                || (a[i + 8] != '0' && a[i + 8] != '1') || a[i + 9] != '\r' || a[i + 10] != '\n') {
            return bad(head, null);
        }
        boolean http11 = a[i + 8] == '1';
        int lineEnd = i + 9;
        if (lineEnd > maxLineBytes) {
            return RequestHead.malformed(head, HttpResponseStatus.REQUEST_URI_TOO_LONG);
        }
        i = lineEnd + 2;
        if (len - i > maxHeaderBytes) {
            return RequestHead.malformed(head, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
        }
        HttpMethod method = method(methodEnd);
        String uri = head.toString(head.readerIndex() + targetStart, targetEnd - targetStart,
                StandardCharsets.ISO_8859_1);

        HeaderLines lines = this.lines;
        lines.reset();
        connection.reset();
        long contentLength = -1;
        int lengths = 0;
        int encodings = 0;
        boolean chunked = false;
        boolean close = false;
        boolean keepAlive = false;
        boolean upgradeToken = false;
        while (true) {
            if (i + 1 >= len) {
                return bad(head, null);
            }
            byte b = a[i];
            if (b == '\r') {
                if (a[i + 1] != '\n') {
                    return bad(head, null);
                }
                break;
            }
            int nameStart = i;
            while (i < len && Ascii.isToken(a[i])) {
                i++;
            }
            if (i >= len || a[i] != ':' || i == nameStart) {
                // No colon, a space before it, obs-fold, a bare LF: not a header line.
                return bad(head, null);
            }
            int nameEnd = i++;
            boolean canon = i + 1 < len && a[i] == ' ' && !Ascii.isOws(a[i + 1]);
            while (i < len && Ascii.isOws(a[i])) {
                i++;
            }
            int valueStart = i;
            while (true) {
                i = Ascii.firstControl(a, i, len);
                if (i >= len || a[i] == '\r') {
                    break;
                }
                if (a[i] != '\t') {
                    return bad(head, null);
                }
                i++;
            }
            if (i + 1 >= len || a[i + 1] != '\n') {
                return bad(head, null);
            }
            int valueEnd = i;
            while (valueEnd > valueStart && Ascii.isOws(a[valueEnd - 1])) {
                valueEnd--;
                canon = false;
            }
            i += 2;

            int index = lines.add(nameStart, nameEnd, valueStart, valueEnd, canon);
            byte kind = kind(nameStart, nameEnd);
            lines.kind(index, kind);
            switch (kind) {
                case RequestHead.Kind.CONTENT_LENGTH -> {
                    lengths++;
                    long value = length(valueStart, valueEnd);
                    if (value < 0 || (contentLength >= 0 && contentLength != value)) {
                        return bad(head, null);
                    }
                    contentLength = value;
                }
                case RequestHead.Kind.TRANSFER_ENCODING -> {
                    encodings++;
                    chunked = Ascii.equalsLower(a, valueStart, valueEnd, CHUNKED);
                }
                case RequestHead.Kind.CONNECTION -> {
                    int tokens = connection.read(a, valueStart, valueEnd);
                    close |= (tokens & ConnectionTokens.CLOSE) != 0;
                    keepAlive |= (tokens & ConnectionTokens.KEEP_ALIVE) != 0;
                    upgradeToken |= (tokens & ConnectionTokens.UPGRADE) != 0;
                    lines.drop(index);
                }
                case RequestHead.Kind.UPGRADE, RequestHead.Kind.HOP -> lines.drop(index);
                default -> {
                }
            }
        }
        // Framing (RFC 9112 section 6): only a lone "chunked" is forwarded (anything else could be
        // framed differently by a backend), never with a Content-Length; one length, not two.
        if (encodings > 0 && (encodings > 1 || !chunked || !http11 || lengths > 0)) {
            return bad(head, null);
        }
        if (lengths > 1) {
            return bad(head, null);
        }
        if (connection.namesAny()) {
            dropNamed(lines);
        }
        return new RequestHead(head, null, method, uri, http11, lineEnd, lines.copy(true), contentLength, chunked,
                close, keepAlive, upgradeToken);
    }

    private static RequestHead bad(ByteBuf head, HttpResponseStatus status) {
        return RequestHead.malformed(head, status != null ? status : HttpResponseStatus.BAD_REQUEST);
    }

    private HttpMethod method(int end) {
        for (int m = 0; m < METHODS.length; m++) {
            byte[] name = METHOD_BYTES[m];
            if (name.length == end && Arrays.equals(a, 0, end, name, 0, end)) {
                return METHODS[m];
            }
        }
        return HttpMethod.valueOf(new String(a, 0, end, StandardCharsets.US_ASCII));
    }

    private byte kind(int s, int e) {
        switch (e - s) {
            case 2:
                return is(s, e, TE) ? RequestHead.Kind.HOP : RequestHead.Kind.OTHER;
            case 4:
                return is(s, e, HOST) ? RequestHead.Kind.HOST : RequestHead.Kind.OTHER;
            case 6:
                return is(s, e, COOKIE) ? RequestHead.Kind.COOKIE
                        : is(s, e, EXPECT) ? RequestHead.Kind.EXPECT : RequestHead.Kind.OTHER;
            case 7:
                return is(s, e, UPGRADE) ? RequestHead.Kind.UPGRADE
                        : is(s, e, REFERER) ? RequestHead.Kind.REFERER
                        : is(s, e, TRAILER) ? RequestHead.Kind.HOP : RequestHead.Kind.OTHER;
            case 9:
                return is(s, e, FORWARDED) ? RequestHead.Kind.FORWARDED : RequestHead.Kind.OTHER;
            case 10:
                return is(s, e, CONNECTION) ? RequestHead.Kind.CONNECTION
                        : is(s, e, USER_AGENT) ? RequestHead.Kind.USER_AGENT
                        : is(s, e, KEEP_ALIVE) ? RequestHead.Kind.HOP : RequestHead.Kind.OTHER;
            case 12:
                return is(s, e, X_REQUEST_ID) ? RequestHead.Kind.X_REQUEST_ID : RequestHead.Kind.OTHER;
            case 14:
                return is(s, e, CONTENT_LENGTH) ? RequestHead.Kind.CONTENT_LENGTH : RequestHead.Kind.OTHER;
            case 15:
                return is(s, e, X_FORWARDED_FOR) ? RequestHead.Kind.X_FORWARDED_FOR : RequestHead.Kind.OTHER;
            case 16:
                return is(s, e, X_FORWARDED_HOST) ? RequestHead.Kind.X_FORWARDED_HOST
                        : is(s, e, PROXY_CONNECTION) ? RequestHead.Kind.HOP : RequestHead.Kind.OTHER;
            case 17:
                return is(s, e, TRANSFER_ENCODING) ? RequestHead.Kind.TRANSFER_ENCODING
                        : is(s, e, X_FORWARDED_PROTO) ? RequestHead.Kind.X_FORWARDED_PROTO : RequestHead.Kind.OTHER;
            case 18:
                return is(s, e, PROXY_AUTHENTICATE) ? RequestHead.Kind.HOP : RequestHead.Kind.OTHER;
            case 19:
                return is(s, e, PROXY_AUTHORIZATION) ? RequestHead.Kind.HOP : RequestHead.Kind.OTHER;
            default:
                return RequestHead.Kind.OTHER;
        }
    }

    private boolean is(int s, int e, byte[] lower) {
        return Ascii.equalsLower(a, s, e, lower);
    }

    /** Drops what the Connection header names, but never Host or the framing headers. */
    private void dropNamed(HeaderLines lines) {
        for (int h = 0; h < lines.count(); h++) {
            byte k = lines.kind(h);
            if (k == RequestHead.Kind.HOST || k == RequestHead.Kind.CONTENT_LENGTH
                    || k == RequestHead.Kind.TRANSFER_ENCODING) {
                continue;
            }
            if (connection.names(a, lines.nameStart(h), lines.nameEnd(h))) {
                lines.drop(h);
            }
        }
    }

    /** 1*DIGIT (at most 18), else -1. */
    private long length(int start, int end) {
        if (start == end || end - start > 18) {
            return -1;
        }
        long v = 0;
        for (int i = start; i < end; i++) {
            byte b = a[i];
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v;
    }
}
