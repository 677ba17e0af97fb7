package dev.keytrust.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab CA and server certificate: files, contents, and real TLS handshakes on 127.0.0.1. */
class LabCertificatesTest {
  @TempDir Path tmp;

  @Test
  void create_writesPemFilesThatTheJdkAndOpensslRead() throws Exception {
    LabCertificates certs = LabCertificates.create(tmp.resolve("pki"));

    assertThat(certs.caFile()).isEqualTo(tmp.resolve("pki").resolve("ca.pem").toAbsolutePath());
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    X509Certificate ca;
    try (InputStream in = Files.newInputStream(certs.caFile())) {
      ca = (X509Certificate) cf.generateCertificate(in);
    }
    List<java.security.cert.Certificate> chain;
    try (InputStream in = Files.newInputStream(certs.serverCertificateFile())) {
      chain = List.copyOf(cf.generateCertificates(in));
    }
    assertThat(chain).containsExactly(certs.serverCertificate(), certs.caCertificate());
    assertThat(ca).isEqualTo(certs.caCertificate());
    assertThat(ca.getBasicConstraints()).isEqualTo(0);
    X509Certificate server = certs.serverCertificate();
    assertThat(server.getBasicConstraints()).isEqualTo(-1);
    assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(server.getSubjectAlternativeNames())
        .extracting(n -> (Object) n.get(1))
        .contains("localhost", "127.0.0.1");
    server.verify(ca.getPublicKey());
    server.checkValidity();

    // the key file is the server certificate's private key, and private to its owner
    String keyPem = Files.readString(certs.serverKeyFile());
    assertThat(keyPem).startsWith("-----BEGIN PRIVATE KEY-----");
    byte[] der =
        Base64.getMimeDecoder()
            .decode(keyPem.replaceAll("-----[A-Z ]+-----", "").strip());
    var key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    byte[] sig = signer.sign();
    signer.initVerify(server.getPublicKey());
    signer.update(new byte[] {1, 2, 3});
    assertThat(signer.verify(sig)).isTrue();
    assertThat(Files.getPosixFilePermissions(certs.serverKeyFile()))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    if (Openssl.available()) {
      ProcessResult r =
          Openssl.run(
              "verify", "-CAfile", certs.caFile().toString(), "-purpose", "sslserver",
              "-verify_hostname", "localhost", "-verify_ip", "127.0.0.1",
              certs.serverCertificateFile().toString());
      assertThat(r.stdout()).contains(": OK");
    }
  }

  @Test
  void create_refusesToOverwriteExistingFiles() {
    LabCertificates.create(tmp);
    assertThatThrownBy(() -> LabCertificates.create(tmp))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("ca.pem");
  }

  @Test
  void extraDnsNames_areInTheServerCertificate() throws Exception {
    LabCertificates certs = LabCertificates.create(tmp, List.of("dc1.lab.example"));
    assertThat(certs.serverCertificate().getSubjectAlternativeNames())
        .extracting(n -> (Object) n.get(1))
        .contains("dc1.lab.example", "localhost", "127.0.0.1");
  }

  @Test
  void tls_clientTrustingTheLabCa_verifiesHostname127001_andAnotherLabCaIsRefused() throws Exception {
    LabCertificates certs = LabCertificates.create(tmp.resolve("a"));
    LabCertificates other = LabCertificates.create(tmp.resolve("b"));
    assertThat(other.caCertificate()).isNotEqualTo(certs.caCertificate());

    try (SSLServerSocket listener =
        (SSLServerSocket)
            certs.serverSslContext().getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
      CompletableFuture<Void> server =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < 2; i++) {
                  try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.setSoTimeout(10_000);
                    int b = s.getInputStream().read();
                    if (b >= 0) {
                      s.getOutputStream().write(b + 1);
                      s.getOutputStream().flush();
                    }
                  } catch (IOException expectedForTheRefusedClient) {
                    // the second client aborts the handshake
                  }
                }
              });

      // trusted: the handshake checks the IP SAN like an HTTPS client
      try (SSLSocket client =
          (SSLSocket) certs.clientSslContext().getSocketFactory().createSocket()) {
        SSLParameters params = client.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        client.setSSLParameters(params);
        client.connect(new InetSocketAddress("127.0.0.1", listener.getLocalPort()), 10_000);
        client.setSoTimeout(10_000);
        OutputStream out = client.getOutputStream();
        out.write(41);
        out.flush();
        assertThat(client.getInputStream().read()).isEqualTo(42);
      }

      // a client trusting another lab CA refuses this server
      try (SSLSocket client =
          (SSLSocket) other.clientSslContext().getSocketFactory().createSocket()) {
        client.connect(new InetSocketAddress("127.0.0.1", listener.getLocalPort()), 10_000);
        client.setSoTimeout(10_000);
        assertThatThrownBy(client::startHandshake).isInstanceOf(SSLHandshakeException.class);
      }
      server.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void toString_namesTheCaAndDirectoryOnly() {
    LabCertificates certs = LabCertificates.create(tmp);
    assertThat(certs.toString()).contains("keytrust lab CA").doesNotContain("PRIVATE");
  }
}
