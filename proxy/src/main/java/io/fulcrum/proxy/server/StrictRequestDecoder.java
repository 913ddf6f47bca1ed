package io.fulcrum.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * Netty's request decoder, but a request carrying both Transfer-Encoding: chunked and
 * Content-Length is marked malformed instead of having its Content-Length dropped. Two framings
 * that disagree are how request smuggling works; RFC 9112 section 6.1 lets a server reject them,
 * and a proxy must not forward them (SPEC section 6: 400, never forwarded).
 *
 * <p>It also tells the connection's {@link ClientHandler} of every read, so the timeouts need no
 * handler of their own.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {

    /** The cause attached to such requests, so the answer can say what was wrong. */
    static final class AmbiguousFramingException extends IllegalArgumentException {
        AmbiguousFramingException() {
            super("both Transfer-Encoding and Content-Length", null);
        }
    }

    /** Told of every read before it is decoded: client-idle and client-header count from raw bytes. */
    private final ClientHandler client;

    StrictRequestDecoder(HttpDecoderConfig config, ClientHandler client) {
        super(config);
        this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        client.bytesArrived();
        super.channelRead(ctx, msg);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        message.setDecoderResult(DecoderResult.failure(new AmbiguousFramingException()));
        super.handleTransferEncodingChunkedWithContentLength(message);
    }
}
