package dev.keytrust.agent.endpoint.drs;

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
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context of the HTTPS endpoint: the JVM's default trust store, or exactly the CA
 * certificates of a {@code ca-file} (PEM or DER, one or more; the system store is then not used).
 * Host names are checked by the HTTP client against the certificate's subject alternative names.
 */
final class TlsTrust {
  private static final long MAX_CA_FILE = 1024 * 1024;

  private TlsTrust() {}

  /**
   * The context trusting {@code caFile}'s certificates, or the JVM default when it is {@code null}.
   *
   * @throws AgentException DRS_CA_FILE (bad input) when the file is missing, too large, unreadable
   *     or holds no X.509 certificate
   */
  static SSLContext context(Path caFile) throws AgentException {
    try {
      if (caFile == null) {
        return SSLContext.getDefault();
      }
      List<X509Certificate> anchors = read(caFile);
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < anchors.size(); i++) {
        store.setCertificateEntry("ca-" + i, anchors.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new AgentException(
          AgentErrorCode.DRS_CA_FILE,
          (caFile == null ? "The JVM's default trust store" : "The ca-file " + caFile)
              + " cannot be used to check the server's certificate (" + e.getMessage() + "). Give "
              + DrsEndpointProvider.CA_FILE + "=<PEM file of the CA that issued the server's"
              + " certificate>.",
          e);
    }
  }

  private static List<X509Certificate> read(Path caFile)
      throws AgentException, IOException, GeneralSecurityException {
    if (!Files.isRegularFile(caFile) || !Files.isReadable(caFile)) {
      throw new AgentException(
          AgentErrorCode.DRS_CA_FILE,
          "The ca-file " + caFile + " does not exist or is not a readable file. Give "
              + DrsEndpointProvider.CA_FILE + "=<PEM file of the CA that issued the server's"
              + " certificate>.");
    }
    if (Files.size(caFile) > MAX_CA_FILE) {
      throw new AgentException(
          AgentErrorCode.DRS_CA_FILE,
          "The ca-file " + caFile + " is larger than " + MAX_CA_FILE + " bytes; it should hold"
              + " the CA certificates only.");
    }
    List<X509Certificate> certificates = new ArrayList<>();
    try (InputStream in = Files.newInputStream(caFile)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        if (c instanceof X509Certificate x509) {
          certificates.add(x509);
        }
      }
    }
    if (certificates.isEmpty()) {
      throw new AgentException(
          AgentErrorCode.DRS_CA_FILE,
          "The ca-file " + caFile + " holds no X.509 certificate. It should hold the CA"
              + " certificate(s) in PEM ('-----BEGIN CERTIFICATE-----') or DER form.");
    }
    return certificates;
  }
}
