package io.fulcrum.proxy.server.tls;

import io.fulcrum.proxy.config.TlsConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * A listener's TLS: one server context per certificate, chosen by SNI from the names the certificate
 * itself carries (DNS subject alternative names, else the CN; wildcards as {@code *.example.com}); the
 * first certificate answers clients that send no SNI or an unknown name. BoringSSL (netty-tcnative)
 * when it loads, the JDK's TLS otherwise.
 */
public final class TlsContexts {

    private final Mapping<String, SslContext> byName;
    private final boolean h2;

    private TlsContexts(Mapping<String, SslContext> byName, boolean h2) {
        this.byName = byName;
        this.h2 = h2;
    }

    /** Builds the contexts; throws with the file named when a certificate or key cannot be used. */
    public static TlsContexts build(TlsConfig config) {
        List<String> alpn = new ArrayList<>(config.alpn());
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        DomainWildcardMappingBuilder<SslContext> mapping = null;
        for (TlsConfig.Certificate c : config.certificates()) {
            SslContext ctx;
            try {
                SslContextBuilder b = SslContextBuilder.forServer(c.cert().toFile(), c.key().toFile())
                        .sslProvider(provider)
                        .protocols(config.protocols().toArray(String[]::new));
                if (!alpn.isEmpty()) {
                    b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
                }
                ctx = b.build();
            } catch (Exception e) {
                throw new IllegalArgumentException("TLS certificate " + c.cert() + " / key " + c.key() + ": "
                        + e.getMessage(), e);
            }
            if (mapping == null) {
                mapping = new DomainWildcardMappingBuilder<>(ctx);
            }
            for (String name : names(c)) {
                mapping.add(name, ctx);
            }
        }
        if (mapping == null) {
            throw new IllegalArgumentException("TLS needs at least one certificate");
        }
        return new TlsContexts(mapping.build(), alpn.contains(ApplicationProtocolNames.HTTP_2));
    }

    /** SNI host name → context (the default for unknown names). */
    public Mapping<String, SslContext> mapping() {
        return byName;
    }

    /** Whether HTTP/2 is offered by ALPN. */
    public boolean offersHttp2() {
        return h2;
    }

    /** The DNS names a certificate is valid for: its SANs, or its CN when it has none. */
    static Set<String> names(TlsConfig.Certificate c) {
        Set<String> names = new LinkedHashSet<>();
        try (InputStream in = Files.newInputStream(c.cert())) {
            X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            Collection<List<?>> sans = x509.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        names.add(((String) san.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
            if (names.isEmpty()) {
                for (Rdn rdn : new LdapName(x509.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        names.add(rdn.getValue().toString().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (IOException | CertificateException | InvalidNameException e) {
            throw new IllegalArgumentException("TLS certificate " + c.cert() + ": " + e.getMessage(), e);
        }
        return names;
    }
}
