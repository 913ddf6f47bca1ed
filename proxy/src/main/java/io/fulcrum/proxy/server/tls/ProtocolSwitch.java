package io.fulcrum.proxy.server.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Consumer;

/**
 * After the TLS handshake, builds the rest of the pipeline for the protocol ALPN chose: HTTP/2 or
 * HTTP/1.1 (also when the client used no ALPN).
 */
public final class ProtocolSwitch extends ApplicationProtocolNegotiationHandler {

    private final Consumer<ChannelHandlerContext> http1;
    private final Consumer<ChannelHandlerContext> http2;

    public ProtocolSwitch(Consumer<ChannelHandlerContext> http1, Consumer<ChannelHandlerContext> http2) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            http2.accept(ctx);
        } else {
            http1.accept(ctx);
        }
        // No read() here: the HTTP/1.1 pipeline's ClientHandler asks for its first message itself
        // (messages a read decodes beyond the one asked for wait in its backlog).
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
