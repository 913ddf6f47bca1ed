package io.fulcrum.proxy.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Header rewriting between client and backend (SPEC section 6): hop-by-hop headers are stripped in
 * both directions (RFC 9110 section 7.6.1, plus every header the Connection header names), and
 * requests gain X-Forwarded-For/-Proto/-Host, Forwarded (RFC 7239) and an X-Request-Id when the
 * client sent none.
 */
public final class ForwardingHeaders {

    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    public static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ForwardingHeaders() {
    }

    /**
     * Removes hop-by-hop headers. Transfer-Encoding stays: Fulcrum streams bodies with the framing
     * they came with, and the HTTP codec re-frames chunked bodies itself.
     */
    public static void stripHopByHop(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            boolean namesOthers = false;
            for (java.util.Iterator<String> it = headers.valueStringIterator(HttpHeaderNames.CONNECTION); it.hasNext(); ) {
                namesOthers |= !isPlainToken(it.next());
            }
            if (namesOthers) {
                for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
                    removeNamedIn(headers, value);
                }
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        headers.remove(KEEP_ALIVE);
        headers.remove(PROXY_CONNECTION);
        headers.remove(HttpHeaderNames.TE);
        headers.remove(HttpHeaderNames.TRAILER);
        headers.remove(HttpHeaderNames.UPGRADE);
        headers.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
        headers.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
    }

    /**
     * "keep-alive" and "close", the Connection values nearly every message carries, name no other header:
     * no need to take them apart (which showed in profiles).
     */
    private static boolean isPlainToken(String value) {
        return HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(value)
                || HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(value);
    }

    /** Removes every header a Connection value names ("keep-alive, X-Secret"), without regex or arrays. */
    private static void removeNamedIn(HttpHeaders headers, String value) {
        int start = 0;
        int n = value.length();
        while (start < n) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            String name = value.substring(start, end).trim();
            if (!name.isEmpty() && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                headers.remove(name);
            }
            start = end + 1;
        }
    }

    /**
     * Adds the forwarding headers to a request bound for a backend.
     *
     * @param proto "http" or "https", as the client reached Fulcrum
     * @param host  the Host the client asked for, or null
     */
    public static void addForwarded(HttpHeaders headers, InetSocketAddress client, String proto, String host) {
        addForwarded(headers, ip(client), proto, host);
    }

    /**
     * As {@link #addForwarded(HttpHeaders, InetSocketAddress, String, String)} with the client's address
     * already as text.
     */
    public static void addForwarded(HttpHeaders headers, String clientIp, String proto, String host) {
        String xff = headers.get(X_FORWARDED_FOR);
        headers.set(X_FORWARDED_FOR, xff == null ? clientIp : xff + ", " + clientIp);
        headers.set(X_FORWARDED_PROTO, proto);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        }
        StringBuilder fwd = new StringBuilder(64);
        String previous = headers.get(FORWARDED);
        if (previous != null) {
            fwd.append(previous).append(", ");
        }
        fwd.append("for=");
        if (clientIp.indexOf(':') >= 0) {
            fwd.append("\"[").append(clientIp).append("]\"");
        } else {
            fwd.append(clientIp);
        }
        fwd.append(";proto=").append(proto);
        if (host != null && isToken(host)) {
            fwd.append(";host=").append(host);
        } else if (host != null) {
            fwd.append(";host=\"").append(host.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        headers.set(FORWARDED, fwd.toString());
        if (!headers.contains(X_REQUEST_ID)) {
            headers.set(X_REQUEST_ID, newRequestId());
        }
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_' || c == '~')) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /** The client's address as the forwarding headers write it. */
    public static String ip(InetSocketAddress address) {
        InetAddress a = address == null ? null : address.getAddress();
        return a == null ? "unknown" : a.getHostAddress();
    }

    /** 128 random bits as 32 hex digits: unique enough to follow one request through logs. */
    static String newRequestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = r.nextLong();
        long lo = r.nextLong();
        char[] out = new char[32];
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }
}
