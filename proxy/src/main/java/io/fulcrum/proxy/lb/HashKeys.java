package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.config.HashKeyConfig;
import io.fulcrum.proxy.http1.RequestHead;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The request hash {@code consistent-hash} places on its ring, from the pool's {@code hash-key}:
 * <ul>
 *   <li>{@code header:NAME} — the first value of that header, as sent;</li>
 *   <li>{@code cookie:NAME} — the value of that cookie in the {@code Cookie} header(s);</li>
 *   <li>{@code client-ip} — the client's address bytes (port ignored);</li>
 *   <li>{@code path} — the request path without query string or fragment; an absolute-form target
 *       ({@code http://host/p?q}) counts as its path ({@code /p}).</li>
 * </ul>
 * A missing header or cookie falls back to the client IP, so such clients still stick to a backend.
 *
 * <p>The hash is {@link StableHash} (FNV-1a + SplitMix64): the same in every run and on every host,
 * so keys keep their backends across restarts and across several proxies. Strategies other than
 * consistent-hash ignore it, and callers may pass 0 for them without computing it.
 *
 * <p>Threading: stateless, any thread. Allocation: the header or Cookie value as a string (read from
 * the request's bytes), nothing for the path (characters are hashed in place, no substring); the
 * client IP costs the 4- or 16-byte copy {@link InetAddress#getAddress()} makes.
 */
public final class HashKeys {

    private HashKeys() {
    }

    /** The request's hash for {@code key}. {@code client} may be null (then its part hashes as 0). */
    public static long of(HashKeyConfig key, RequestHead request, InetSocketAddress client) {
        switch (key.kind()) {
            case HEADER: {
                String value = request.header(key.name());
                return value == null ? clientIp(client) : StableHash.hash(value);
            }
            case COOKIE:
                return cookie(request.all(RequestHead.Kind.COOKIE), key.name(), client);
            case PATH:
                return path(request.uri());
            case CLIENT_IP:
            default:
                return clientIp(client);
        }
    }

    /** Hash of the client's IP address bytes; 0 when there is no client address. */
    public static long clientIp(InetSocketAddress client) {
        if (client == null) {
            return 0;
        }
        InetAddress address = client.getAddress();
        if (address == null) {
            return StableHash.hash(client.getHostString());
        }
        long state = StableHash.FNV_OFFSET;
        for (byte b : address.getAddress()) {
            state = StableHash.addByte(state, b);
        }
        return StableHash.mix(state);
    }

    /** Hash of the path part of a request target: up to the first '?' or '#'. */
    static long path(String uri) {
        int from = 0;
        if (!uri.startsWith("/")) {
            int scheme = uri.indexOf("://");
            if (scheme >= 0) {
                int slash = uri.indexOf('/', scheme + 3);
                if (slash < 0) {
                    return StableHash.hash("/");
                }
                from = slash;
            }
        }
        int to = from;
        while (to < uri.length() && uri.charAt(to) != '?' && uri.charAt(to) != '#') {
            to++;
        }
        return StableHash.mix(StableHash.addChars(StableHash.FNV_OFFSET, uri, from, to));
    }

    /** The named cookie's value in the Cookie header(s) (HTTP/2 may split them into several). */
    private static long cookie(List<String> headers, String name, InetSocketAddress client) {
        for (String header : headers) {
            int at = cookieValueStart(header, name);
            if (at >= 0) {
                return hashCookieValue(header, at);
            }
        }
        return clientIp(client);
    }

    private static long hashCookieValue(String header, int from) {
        int to = header.indexOf(';', from);
        if (to < 0) {
            to = header.length();
        }
        while (to > from && header.charAt(to - 1) == ' ') {
            to--;
        }
        return StableHash.mix(StableHash.addChars(StableHash.FNV_OFFSET, header, from, to));
    }

    /**
     * Where the value of cookie {@code name} starts in a {@code Cookie} header ("a=1; b=2"), or -1.
     * Names match exactly (cookie names are case-sensitive).
     */
    static int cookieValueStart(String header, String name) {
        int i = 0;
        int len = header.length();
        while (i < len) {
            while (i < len && (header.charAt(i) == ' ' || header.charAt(i) == ';')) {
                i++;
            }
            int nameEnd = i;
            while (nameEnd < len && header.charAt(nameEnd) != '=' && header.charAt(nameEnd) != ';') {
                nameEnd++;
            }
            int trimmed = nameEnd;
            while (trimmed > i && header.charAt(trimmed - 1) == ' ') {
                trimmed--;
            }
            if (nameEnd < len && header.charAt(nameEnd) == '='
                    && trimmed - i == name.length() && header.regionMatches(i, name, 0, name.length())) {
                int value = nameEnd + 1;
                while (value < len && header.charAt(value) == ' ') {
                    value++;
                }
                return value;
            }
            int next = header.indexOf(';', nameEnd);
            if (next < 0) {
                return -1;
            }
            i = next + 1;
        }
        return -1;
    }
}
