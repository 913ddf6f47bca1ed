package io.fulcrum.proxy.config;

import java.nio.file.Path;
import java.util.List;

/** A listener's TLS: certificates chosen by SNI (the first is the default), protocols and ALPN ids. */
public record TlsConfig(List<Certificate> certificates, List<String> protocols, List<String> alpn) {

    /** A PEM certificate chain and its PEM private key. */
    public record Certificate(Path cert, Path key) {
    }
}
