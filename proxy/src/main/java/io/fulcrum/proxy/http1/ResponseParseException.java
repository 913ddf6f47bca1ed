package io.fulcrum.proxy.http1;

/** A backend sent something that is not a valid HTTP/1.1 response: the connection is given up. */
public final class ResponseParseException extends Http1ParseException {

    public ResponseParseException(String message) {
        super(message);
    }
}
