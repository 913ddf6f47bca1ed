package io.fulcrum.proxy.server;

import io.fulcrum.proxy.http1.HeaderBuilder;
import io.fulcrum.proxy.http1.RequestHead;
import io.fulcrum.proxy.http1.RequestHeadEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The head a backend gets (SPEC section 6): the client's, less its hop-by-hop headers (the parser
 * marks them, RFC 9110 section 7.6.1) and those Fulcrum writes itself, plus X-Forwarded-For/-Proto/-Host,
 * Forwarded (RFC 7239) and an X-Request-Id when the client sent none.
 */
public final class ForwardingHeaders {

    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    public static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

    private ForwardingHeaders() {
    }

    /** The request headers Fulcrum writes itself, so the client's are left out (Expect is answered by Fulcrum). */
    private static final int REWRITTEN = 1 << RequestHead.Kind.EXPECT | 1 << RequestHead.Kind.X_FORWARDED_FOR
            | 1 << RequestHead.Kind.X_FORWARDED_PROTO | 1 << RequestHead.Kind.X_FORWARDED_HOST
            | 1 << RequestHead.Kind.FORWARDED;
    private static final byte[] XFF = X_FORWARDED_FOR.toByteArray();
    private static final byte[] XFP = X_FORWARDED_PROTO.toByteArray();
    private static final byte[] XFH = X_FORWARDED_HOST.toByteArray();
    private static final byte[] FWD = FORWARDED.toByteArray();
    private static final byte[] XRID = X_REQUEST_ID.toByteArray();
    private static final byte[] UPGRADE = HttpHeaderNames.UPGRADE.toByteArray();
    private static final byte[] CONNECTION = HttpHeaderNames.CONNECTION.toByteArray();

    /**
     * The head to send a backend: the client's, less hop-by-hop headers and Expect, with
     * X-Forwarded-For (the client's first value, then this client), X-Forwarded-Proto and -Host, Forwarded
     * (RFC 7239, appended to the client's first value the same way), and X-Request-Id when the client sent none.
     *
     * @param clientIp  the client's address as text
     * @param proto     "http" or "https", as the client reached Fulcrum
     * @param host      the Host the client asked for, or null
     * @param requestId the X-Request-Id to add (an {@link AddedRequestId} is written without making a
     *                  String), or null when the client sent one
     * @param upgrade   the protocol a tunnelled upgrade asks for (Upgrade and Connection: upgrade are sent), or null
     */
    public static ByteBuf forwardHead(ByteBufAllocator alloc, RequestHead head, String clientIp, String proto,
                                      String host, CharSequence requestId, String upgrade) {
        HeaderBuilder added = HeaderBuilder.forThisLoop();
        String xff = head.first(RequestHead.Kind.X_FORWARDED_FOR);
        added.name(XFF);
        if (xff != null) {
            added.text(xff).text(", ");
        }
        added.text(clientIp).end();
        added.name(XFP).text(proto).end();
        if (host != null) {
            added.name(XFH).text(host).end();
        }
        appendForwarded(added.name(FWD), head.first(RequestHead.Kind.FORWARDED), clientIp, proto, host).end();
        if (requestId != null) {
            added.name(XRID).text(requestId).end();
        }
        if (upgrade != null) {
            // Upgrade and Connection are hop-by-hop, yet a tunnelled upgrade must ask the backend for it.
            added.name(UPGRADE).text(upgrade).end();
            added.name(CONNECTION).text(HttpHeaderValues.UPGRADE).end();
        }
        added.end();                                        // the blank line that ends the head
        ByteBuf out = RequestHeadEncoder.start(alloc, head, REWRITTEN, added.length());
        added.writeTo(out);
        return out;
    }

    /** The Forwarded value (RFC 7239): what came, then this hop's for, proto and host. */
    static String forwarded(String previous, String clientIp, String proto, String host) {
        return appendForwarded(new HeaderBuilder(), previous, clientIp, proto, host).toString();
    }

    private static HeaderBuilder appendForwarded(HeaderBuilder b, String previous, String clientIp, String proto,
                                                 String host) {
        if (previous != null) {
            b.text(previous).text(", ");
        }
        b.text("for=");
        if (clientIp.indexOf(':') >= 0) {
            b.text("\"[").text(clientIp).text("]\"");
        } else {
            b.text(clientIp);
        }
        b.text(";proto=").text(proto);
        if (host != null && isToken(host)) {
            b.text(";host=").text(host);
        } else if (host != null) {
            b.text(";host=\"");
            for (int k = 0; k < host.length(); k++) {
                char c = host.charAt(k);
                if (c == '\\' || c == '"') {
                    b.text('\\');
                }
                b.text(c);
            }
            b.text('"');
        }
        return b;
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

}
