package io.fulcrum.proxy.http1;

/** Bytes that break HTTP/1.1 framing: the connection they came on cannot be read further. */
public class Http1ParseException extends RuntimeException {

    public Http1ParseException(String message) {
        super(message, null, false, false);
    }
}
