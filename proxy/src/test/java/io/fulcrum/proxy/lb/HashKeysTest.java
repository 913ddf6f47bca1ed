package io.fulcrum.proxy.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.fulcrum.proxy.config.HashKeyConfig;
import io.fulcrum.proxy.config.HashKeyConfig.Kind;
import io.fulcrum.proxy.http1.RequestHead;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HashKeysTest {

    private static final HashKeyConfig USER = new HashKeyConfig(Kind.HEADER, "X-User-Id");
    private static final HashKeyConfig SESSION = new HashKeyConfig(Kind.COOKIE, "sid");
    private static final HashKeyConfig CLIENT_IP = new HashKeyConfig(Kind.CLIENT_IP, "");
    private static final HashKeyConfig PATH = new HashKeyConfig(Kind.PATH, "");

    private static InetSocketAddress client(String ip, int port) throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    /** Heads made by a test, released after it (they hold a buffer). */
    private final List<RequestHead> heads = new ArrayList<>();

    @AfterEach
    void release() {
        heads.forEach(RequestHead::release);
    }

    /** A GET as the proxy sees it: the head read back from its HTTP/1.1 bytes. */
    private RequestHead get(String uri, String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        request.headers().add("Host", "h");
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        RequestHead head = RequestHead.of(ByteBufAllocator.DEFAULT, request, 8192, 65536);
        heads.add(head);
        return head;
    }

    @Test
    void headerKeyHashesTheHeaderValue() throws Exception {
        InetSocketAddress c = client("192.0.2.1", 5000);
        long alice = HashKeys.of(USER, get("/", "X-User-Id", "alice"), c);
        // Same value → same key, whatever else differs (path, client, header name case).
        assertEquals(alice, HashKeys.of(USER, get("/other", "x-user-id", "alice"), client("192.0.2.9", 1)));
        assertNotEquals(alice, HashKeys.of(USER, get("/", "X-User-Id", "bob"), c));
        // Missing header → the client IP, so the client still sticks somewhere.
        assertEquals(HashKeys.clientIp(c), HashKeys.of(USER, get("/"), c));
    }

    @Test
    void cookieKeyHashesThatCookiesValue() throws Exception {
        InetSocketAddress c = client("192.0.2.1", 5000);
        long session = HashKeys.of(SESSION, get("/", "Cookie", "sid=abc123"), c);
        assertEquals(StableHash.hash("abc123"), session);
        // Found among others, with or without spaces, and not confused with a longer name.
        assertEquals(session, HashKeys.of(SESSION, get("/", "Cookie", "xsid=zzz; theme=dark; sid=abc123; lang=en"), c));
        assertEquals(session, HashKeys.of(SESSION, get("/", "Cookie", "theme=dark;sid=abc123"), c));
        // Several Cookie headers (HTTP/2 may split them).
        assertEquals(session, HashKeys.of(SESSION, get("/", "Cookie", "theme=dark", "Cookie", "sid=abc123"), c));
        assertNotEquals(session, HashKeys.of(SESSION, get("/", "Cookie", "sid=other"), c));
        // Missing cookie, or no Cookie header at all → client IP.
        assertEquals(HashKeys.clientIp(c), HashKeys.of(SESSION, get("/", "Cookie", "xsid=abc123"), c));
        assertEquals(HashKeys.clientIp(c), HashKeys.of(SESSION, get("/"), c));
        assertEquals(-1, HashKeys.cookieValueStart("sidx=1; s=2", "sid"));
        assertEquals(4, HashKeys.cookieValueStart("sid=1", "sid"));
    }

    @Test
    void clientIpKeyIgnoresThePortAndHandlesBothFamilies() throws Exception {
        long v4 = HashKeys.of(CLIENT_IP, get("/"), client("192.0.2.1", 5000));
        assertEquals(v4, HashKeys.of(CLIENT_IP, get("/x", "X-User-Id", "a"), client("192.0.2.1", 6000)));
        assertNotEquals(v4, HashKeys.of(CLIENT_IP, get("/"), client("192.0.2.2", 5000)));
        long v6 = HashKeys.of(CLIENT_IP, get("/"), client("2001:db8::1", 5000));
        assertEquals(v6, HashKeys.clientIp(client("2001:db8:0:0:0:0:0:1", 1)));
        assertNotEquals(v6, HashKeys.clientIp(client("2001:db8::2", 1)));
        assertEquals(0, HashKeys.clientIp(null));
    }

    @Test
    void pathKeyDropsQueryAndFragmentAndAbsoluteFormPrefix() throws Exception {
        InetSocketAddress c = client("192.0.2.1", 5000);
        long path = HashKeys.of(PATH, get("/img/logo.png"), c);
        assertEquals(path, HashKeys.of(PATH, get("/img/logo.png?v=2"), c));
        assertEquals(path, HashKeys.of(PATH, get("/img/logo.png#top"), c));
        assertEquals(path, HashKeys.of(PATH, get("http://example.com/img/logo.png?v=3"), c));
        assertEquals(StableHash.hash("/img/logo.png"), path);
        assertNotEquals(path, HashKeys.of(PATH, get("/img/logo.gif"), c));
        assertEquals(StableHash.hash("/"), HashKeys.of(PATH, get("http://example.com"), c));
    }

    @Test
    void hashesAreTheSameInEveryRun() throws Exception {
        // Pinned values: a change here moves every key to another backend on upgrade, so it must be
        // deliberate (FNV-1a 64 over UTF-16 code units, low byte first, then SplitMix64's finaliser).
        assertEquals(-4158888929616470668L, StableHash.hash("user-42"));
        assertEquals(2161984699633912267L, HashKeys.clientIp(client("192.0.2.1", 80)));
    }
}
