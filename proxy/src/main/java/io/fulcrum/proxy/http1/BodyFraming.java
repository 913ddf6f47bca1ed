package io.fulcrum.proxy.http1;

/** How a response's body is delimited (RFC 9112 section 6.3). */
public enum BodyFraming {
    /** No body: an answer to HEAD, 1xx, 204, 304. (Content-Length: 0 is {@link #LENGTH} with length 0.) */
    NONE,
    /** Exactly Content-Length bytes. */
    LENGTH,
    /** Transfer-Encoding with chunked as the final coding. */
    CHUNKED,
    /** Everything until the backend closes the connection. */
    CLOSE
}
