package io.fulcrum.proxy.server;

import io.fulcrum.proxy.config.LimitsConfig;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * Decides whether a request may be forwarded at all. A request that fails here is answered by
 * Fulcrum and never reaches a backend. The rules are those of RFC 9112 that keep a proxy and its
 * backends agreeing on where one request ends and the next begins.
 */
final class RequestChecks {

    private RequestChecks() {
    }

    /** The status to answer instead of forwarding, or null when the request is fine. */
    static HttpResponseStatus problem(HttpRequest request, LimitsConfig limits) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpHeaderException) {
                return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            }
            if (cause instanceof TooLongHttpLineException) {
                return HttpResponseStatus.REQUEST_URI_TOO_LONG;
            }
            return HttpResponseStatus.BAD_REQUEST;
        }
        HttpHeaders headers = request.headers();
        String uri = request.uri();
        if (uri.length() > limits.maxUriBytes()) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (!(uri.startsWith("/") || startsWithIgnoreCase(uri, "http://") || startsWithIgnoreCase(uri, "https://")
                || (uri.equals("*") && request.method() == HttpMethod.OPTIONS))) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1 || (hosts.isEmpty() && request.protocolVersion() != HttpVersion.HTTP_1_0)) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        List<String> te = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!te.isEmpty()) {
            // Only a lone "chunked" is forwarded: anything else (gzip, chunked; chunked, chunked; HTTP/1.0)
            // could be framed differently by a backend.
            if (te.size() > 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(te.get(0).trim())
                    || request.protocolVersion() == HttpVersion.HTTP_1_0) {
                return HttpResponseStatus.BAD_REQUEST;
            }
        }
        List<String> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (lengths.size() > 1) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        if (lengths.size() == 1) {
            long length = parseLength(lengths.get(0));
            if (length < 0) {
                return HttpResponseStatus.BAD_REQUEST;
            }
            if (limits.maxRequestBodyBytes() > 0 && length > limits.maxRequestBodyBytes()) {
                return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
            }
        }
        String expect = headers.get(HttpHeaderNames.EXPECT);
        if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
            return HttpResponseStatus.EXPECTATION_FAILED;
        }
        return null;
    }

    /** True when a body follows the head: a positive Content-Length, or chunked. */
    static boolean hasBody(HttpRequest request) {
        HttpHeaders headers = request.headers();
        if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return true;
        }
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        return length != null && parseLength(length) > 0;
    }

    private static long parseLength(String s) {
        String v = s.trim();
        if (v.isEmpty() || v.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
