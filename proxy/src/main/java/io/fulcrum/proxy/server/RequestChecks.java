package io.fulcrum.proxy.server;

import io.fulcrum.proxy.config.LimitsConfig;
import io.fulcrum.proxy.http1.RequestHead;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Decides whether a request may be forwarded at all. A request that fails here is answered by
 * Fulcrum and never reaches a backend. The rules are those of RFC 9112 that keep a proxy and its
 * backends agreeing on where one request ends and the next begins; the framing ones (a lone
 * {@code chunked}, one Content-Length, never both) are checked by the parser and arrive here as the
 * head's problem.
 */
final class RequestChecks {

    private RequestChecks() {
    }

    /** The status to answer instead of forwarding, or null when the request is fine. */
    static HttpResponseStatus problem(RequestHead request, LimitsConfig limits) {
        if (request.problem() != null) {
            return request.problem();
        }
        String uri = request.uri();
        if (uri.length() > limits.maxUriBytes()) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (!(uri.startsWith("/") || startsWithIgnoreCase(uri, "http://") || startsWithIgnoreCase(uri, "https://")
                || (uri.equals("*") && request.method() == HttpMethod.OPTIONS))) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        int hosts = request.count(RequestHead.Kind.HOST);
        if (hosts > 1 || (hosts == 0 && request.http11())) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        if (limits.maxRequestBodyBytes() > 0 && request.contentLength() > limits.maxRequestBodyBytes()) {
            return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        }
        String expect = request.first(RequestHead.Kind.EXPECT);
        if (expect != null && (request.count(RequestHead.Kind.EXPECT) > 1
                || !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect))) {
            return HttpResponseStatus.EXPECTATION_FAILED;
        }
        return null;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
