package dev.keytrust.agent.endpoint.ldap;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The trust managers for ldaps: the CA certificates of the ca-file, or the JVM's trust store. */
final class TrustAnchors {
  private TrustAnchors() {}

  /**
   * A PKIX trust manager that trusts exactly the certificates in {@code caFile} (PEM or DER, one or
   * more), or the JVM's default trust store when {@code caFile} is {@code null}.
   *
   * @throws AgentException LDAP_CA_FILE (bad input) when the file is missing, unreadable or holds
   *     no X.509 certificate
   */
  static X509TrustManager load(Path caFile) throws AgentException {
    try {
      KeyStore anchors = null;
      if (caFile != null) {
        anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        anchors.load(null, null);
        int i = 0;
        for (X509Certificate cert : read(caFile)) {
          anchors.setCertificateEntry("ca-" + i++, cert);
        }
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(anchors);
      for (TrustManager tm : factory.getTrustManagers()) {
        if (tm instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new AgentException(
          AgentErrorCode.LDAP_CA_FILE, "The JVM offers no X.509 trust manager for ldaps.");
    } catch (GeneralSecurityException | IOException e) {
      throw new AgentException(
          AgentErrorCode.LDAP_CA_FILE,
          (caFile == null ? "The JVM's default trust store" : "The ca-file " + caFile)
              + " cannot be used as trust anchors (" + e.getMessage() + ")."
              + " Give ca-file=<PEM file of the CA that issued the directory's certificate>.",
          e);
    }
  }

  private static Collection<X509Certificate> read(Path caFile) throws AgentException {
    if (!Files.isRegularFile(caFile)) {
      throw new AgentException(
          AgentErrorCode.LDAP_CA_FILE,
          "The ca-file " + caFile + " does not exist or is not a regular file. Give the PEM file"
              + " of the CA that issued the directory's LDAPS certificate (for Active Directory"
              + " usually the enterprise root CA).");
    }
    try (InputStream in = Files.newInputStream(caFile)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      List<X509Certificate> x509 = new ArrayList<>();
      for (Certificate c : certs) {
        if (c instanceof X509Certificate x) {
          x509.add(x);
        }
      }
      if (x509.isEmpty()) {
        throw new AgentException(
            AgentErrorCode.LDAP_CA_FILE,
            "The ca-file " + caFile + " holds no certificate. It must contain one or more"
                + " '-----BEGIN CERTIFICATE-----' blocks (PEM) of the issuing CA.");
      }
      return x509;
    } catch (IOException | GeneralSecurityException e) {
      throw new AgentException(
          AgentErrorCode.LDAP_CA_FILE,
          "The ca-file " + caFile + " cannot be read as X.509 certificates (" + e.getMessage()
              + "). It must contain PEM '-----BEGIN CERTIFICATE-----' blocks.",
          e);
    }
  }
}
