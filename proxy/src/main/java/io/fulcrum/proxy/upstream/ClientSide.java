package io.fulcrum.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What an {@link Exchange} needs of the client connection it serves. Implemented by the inbound
 * client handler; every method is called on the client channel's event loop.
 */
public interface ClientSide {

    /**
     * The client channel's context, which the forwarded response is written from: on an HTTP/1.1
     * connection as the backend's bytes (re-framed where needed), on an HTTP/2 stream as Netty's HTTP
     * objects.
     */
    ChannelHandlerContext ctx();

    /** The context Fulcrum's own HTTP messages ({@code HttpResponse} objects: 100 Continue, a 101) are written to. */
    ChannelHandlerContext messages();

    /** Asks for the next piece of the request body (the client channel does not auto-read). */
    void readRequestBody();

    /**
     * The exchange is over and the response was written in full.
     *
     * @param requestFullyRead false when the backend answered before the request body ended; the
     *                         client connection must then be closed, its framing is lost
     */
    void exchangeFinished(boolean requestFullyRead);

    /**
     * The exchange failed before any response byte reached the client: answer {@code status} (502,
     * 503, 504, 413) in its place.
     */
    void exchangeFailed(HttpResponseStatus status, boolean requestFullyRead);

    /** The exchange failed after response bytes were sent: the only honest thing left is to close. */
    void exchangeBroken();

    /**
     * The backend switched protocols (101): the response head was written; from now on the client
     * connection is a byte tunnel to {@code backend}.
     */
    void tunnel(io.netty.channel.Channel backend, io.fulcrum.proxy.backend.Backend target);

    /**
     * An HTTP/1.1 connection (plain or TLS), whose pipeline passes {@link io.netty.buffer.ByteBuf}s
     * written to {@link #ctx()} on as they are: the response can be written as bytes. False for an
     * HTTP/2 stream, which takes Netty's HTTP objects.
     */
    boolean http1();

    /** Whether the client connection stays open after this response (keep-alive, not shutting down). */
    boolean keepAlive();
}
