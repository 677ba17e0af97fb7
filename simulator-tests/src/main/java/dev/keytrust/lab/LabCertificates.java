package dev.keytrust.lab;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throw-away certificate authority and one TLS server certificate it issued, for lab servers on
 * the loopback interface (the key-registration service over HTTPS, the lab directory over LDAPS).
 *
 * <p>{@link #create(Path)} generates both (EC P-256, SHA256withECDSA) and writes PEM files into the
 * given directory:
 *
 * <ul>
 *   <li>{@value #CA_FILE}: the CA certificate, the trust anchor a client is given;
 *   <li>{@value #SERVER_CERT_FILE}: the server certificate followed by the CA certificate;
 *   <li>{@value #SERVER_KEY_FILE}: the server's PKCS#8 private key, owner-only (0600) where the file
 *       system supports POSIX permissions.
 * </ul>
 *
 * <p>The server certificate names {@code localhost}, {@code 127.0.0.1} and {@code ::1} (plus any
 * extra DNS names given), is valid from one hour ago for {@value #VALIDITY_DAYS} days, and carries
 * the serverAuth extended key usage. The CA is path-length 0 and its private key never leaves this
 * object (it is not written), so nothing else can be issued under it later. Two calls create two
 * unrelated CAs: a client that trusts one refuses a server of the other.
 *
 * <p>Immutable and thread-safe after creation. The JDK is used for TLS; BouncyCastle only builds
 * the certificates and writes PEM (no provider is registered globally).
 */
public final class LabCertificates {
  /** The CA certificate (PEM). */
  public static final String CA_FILE = "ca.pem";
  /** The server certificate chain (PEM: server certificate, then the CA certificate). */
  public static final String SERVER_CERT_FILE = "server.pem";
  /** The server private key (PEM, PKCS#8, owner-only). */
  public static final String SERVER_KEY_FILE = "server-key.pem";
  /** How long the certificates are valid, in days. */
  public static final int VALIDITY_DAYS = 30;

  private static final Logger LOG = LoggerFactory.getLogger(LabCertificates.class);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final String KEY_ALIAS = "server";
  private static final char[] IN_MEMORY_PASSWORD = new char[0];

  private final Path dir;
  private final X509Certificate ca;
  private final X509Certificate server;
  private final PrivateKey serverKey;

  private LabCertificates(Path dir, X509Certificate ca, X509Certificate server, PrivateKey key) {
    this.dir = dir;
    this.ca = ca;
    this.server = server;
    this.serverKey = key;
  }

  /**
   * Generates a CA and a server certificate for {@code localhost}, {@code 127.0.0.1} and {@code
   * ::1}, and writes the PEM files into {@code dir} (created if missing).
   *
   * @throws LabException when the files exist already or cannot be written
   */
  public static LabCertificates create(Path dir) {
    return create(dir, List.of());
  }

  /**
   * As {@link #create(Path)}, with extra DNS names in the server certificate (e.g. a lab domain
   * controller's host name).
   */
  public static LabCertificates create(Path dir, List<String> extraDnsNames) {
    Path target = dir.toAbsolutePath().normalize();
    try {
      SecureRandom random = new SecureRandom();
      Instant notBefore = Instant.now().minus(Duration.ofHours(1));
      Instant notAfter = notBefore.plus(Duration.ofDays(VALIDITY_DAYS)).plus(Duration.ofHours(1));

      KeyPair caKeys = ecKeyPair(random);
      X500Name caName = new X500Name("CN=keytrust lab CA " + serial(random).toString(16));
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder caBuilder =
          new JcaX509v3CertificateBuilder(
              caName, serial(random), Date.from(notBefore), Date.from(notAfter), caName,
              caKeys.getPublic());
      caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      caBuilder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      caBuilder.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate ca = sign(caBuilder, caKeys.getPrivate());

      KeyPair serverKeys = ecKeyPair(random);
      X509v3CertificateBuilder serverBuilder =
          new JcaX509v3CertificateBuilder(
              ca, serial(random), Date.from(notBefore), Date.from(notAfter),
              new X500Name("CN=localhost"), serverKeys.getPublic());
      serverBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      serverBuilder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      serverBuilder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      serverBuilder.addExtension(
          Extension.subjectAlternativeName, false, subjectAltNames(extraDnsNames));
      serverBuilder.addExtension(
          Extension.subjectKeyIdentifier, false,
          ext.createSubjectKeyIdentifier(serverKeys.getPublic()));
      serverBuilder.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
      X509Certificate server = sign(serverBuilder, caKeys.getPrivate());
      server.verify(ca.getPublicKey());

      LabCertificates certs = new LabCertificates(target, ca, server, serverKeys.getPrivate());
      certs.write();
      LOG.debug("lab CA '{}' and server certificate written to {}", ca.getSubjectX500Principal(), target);
      return certs;
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new LabException("Cannot generate the lab certificates: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new LabException("Cannot write the lab certificates to " + target + ": " + e.getMessage(), e);
    }
  }

  /** The directory the PEM files are in. */
  public Path directory() {
    return dir;
  }

  /** The CA certificate file ({@value #CA_FILE}): what a client is told to trust. */
  public Path caFile() {
    return dir.resolve(CA_FILE);
  }

  /** The server certificate chain file ({@value #SERVER_CERT_FILE}). */
  public Path serverCertificateFile() {
    return dir.resolve(SERVER_CERT_FILE);
  }

  /** The server private key file ({@value #SERVER_KEY_FILE}). */
  public Path serverKeyFile() {
    return dir.resolve(SERVER_KEY_FILE);
  }

  public X509Certificate caCertificate() {
    return ca;
  }

  public X509Certificate serverCertificate() {
    return server;
  }

  /**
   * A fresh TLS context for a server presenting the server certificate and the CA (for {@code
   * HttpsServer}, or {@code getServerSocketFactory()} for an LDAPS listener).
   */
  public SSLContext serverSslContext() {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(KEY_ALIAS, serverKey, IN_MEMORY_PASSWORD, new Certificate[] {server, ca});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, IN_MEMORY_PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new LabException("Cannot build the lab server TLS context: " + e.getMessage(), e);
    }
  }

  /** A fresh TLS context for a client that trusts this CA and nothing else. */
  public SSLContext clientSslContext() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("lab-ca", ca);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new LabException("Cannot build the lab client TLS context: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "LabCertificates[" + ca.getSubjectX500Principal().getName() + ", " + dir + "]";
  }

  // ---- generation ----

  private static KeyPair ecKeyPair(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), random);
    return generator.generateKeyPair();
  }

  /** A positive 127-bit serial number (RFC 5280: at most 20 octets, positive). */
  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).setBit(0);
  }

  private static GeneralNames subjectAltNames(List<String> extraDnsNames) throws IOException {
    Set<String> dns = new LinkedHashSet<>();
    dns.add("localhost");
    for (String name : extraDnsNames) {
      if (name == null || name.isBlank() || name.contains(" ")) {
        throw new IllegalArgumentException("not a DNS name: '" + name + "'");
      }
      dns.add(name);
    }
    List<GeneralName> names = new ArrayList<>();
    for (String name : dns) {
      names.add(new GeneralName(GeneralName.dNSName, name));
    }
    for (String ip : List.of("127.0.0.1", "::1")) {
      // an IP literal: no DNS look-up happens
      String literal = InetAddress.getByName(ip).getHostAddress();
      names.add(new GeneralName(GeneralName.iPAddress, literal));
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
  }

  // ---- files ----

  private void write() throws IOException {
    Files.createDirectories(dir);
    writeNew(caFile(), pem(ca), false);
    writeNew(serverCertificateFile(), pem(server) + pem(ca), false);
    writeNew(serverKeyFile(), pem(new JcaPKCS8Generator(serverKey, null)), true);
  }

  private static String pem(X509Certificate certificate) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificate);
    }
    return out.toString();
  }

  /** PKCS#8 ({@code BEGIN PRIVATE KEY}), which the JDK, openssl and UnboundID all read. */
  private static String pem(JcaPKCS8Generator key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(key);
    }
    return out.toString();
  }

  private static void writeNew(Path file, String content, boolean ownerOnly) throws IOException {
    if (Files.exists(file)) {
      throw new FileAlreadyExistsException(file.toString(), null, "lab certificates exist already");
    }
    if (ownerOnly && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
    Files.writeString(file, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
