package io.fulcrum.proxy.testing;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** TLS client contexts for tests that talk to the daemon's TLS listeners. */
public final class TestCertificates {

    /** The test certificates and keys: {@code NAME.crt} and {@code NAME.key}. */
    public static final Path DIR = Path.of("src/test/resources/config/tls").toAbsolutePath();

    private TestCertificates() {
    }

    /**
     * A client context that trusts the named test certificates ({@code DIR/NAME.crt}) and skips the host
     * name check: the tests connect to 127.0.0.1, not to the names in the certificates. A new context
     * each call, so no TLS session is resumed from an earlier connection.
     */
    public static SSLContext trusting(String... names) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (String n : names) {
            try (InputStream in = Files.newInputStream(DIR.resolve(n + ".crt"))) {
                ks.setCertificateEntry(n, cf.generateCertificate(in));
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        X509TrustManager chain = (X509TrustManager) tmf.getTrustManagers()[0];
        X509ExtendedTrustManager noHostCheck = new X509ExtendedTrustManager() {
            public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
                chain.checkServerTrusted(c, a);
            }

            public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
                chain.checkServerTrusted(c, a);
            }

            public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException {
                chain.checkServerTrusted(c, a);
            }

            public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {
                throw new UnsupportedOperationException();
            }

            public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {
                throw new UnsupportedOperationException();
            }

            public void checkClientTrusted(X509Certificate[] c, String a) {
                throw new UnsupportedOperationException();
            }

            public X509Certificate[] getAcceptedIssuers() {
                return chain.getAcceptedIssuers();
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {noHostCheck}, null);
        return ctx;
    }
}
