package io.fulcrum.proxy.config;

import java.net.InetSocketAddress;

/** A {@code host:port} pair as written in the config ({@code "127.0.0.1:9001"}, {@code "[::1]:80"}). */
public record HostPort(String host, int port) {

    /** The form used as a backend's id and in logs: {@code host:port}, IPv6 hosts in brackets. */
    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** Resolves the host now. Call at config load or reload, never on an event loop. */
    public InetSocketAddress resolve() {
        return new InetSocketAddress(host, port);
    }

    /**
     * Parses {@code host:port}; throws IllegalArgumentException with a message fit for an operator.
     */
    public static HostPort parse(String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("address '" + text + "' is not host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("address '" + text + "': write IPv6 hosts in brackets, as [::1]:80");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address '" + text + "': port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("address '" + text + "': port must be 0..65535");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("address '" + text + "': host is empty");
        }
        return new HostPort(host, port);
    }
}
