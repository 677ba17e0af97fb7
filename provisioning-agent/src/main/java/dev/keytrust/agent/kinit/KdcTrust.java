package dev.keytrust.agent.kinit;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.store.InputFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What makes a KDC trusted: its PKINIT certificate must chain to one of these CAs (the enterprise
 * CA that issues the domain controllers' certificates), be valid now, carry the extended key usage
 * id-pkinit-KPKdc, and name the KDC: an id-pkinit-san of {@code krbtgt/REALM@REALM}, or a DNS name
 * that is the KDC host asked or the realm's domain (what Active Directory's "Kerberos
 * Authentication" certificates carry). Revocation is not checked. Immutable.
 */
public final class KdcTrust {
  private final Set<TrustAnchor> anchors;
  private final String description;

  private KdcTrust(Set<TrustAnchor> anchors, String description) {
    this.anchors = anchors;
    this.description = description;
  }

  /** The CA certificates in {@code anchors}. */
  public static KdcTrust of(Collection<X509Certificate> anchors) {
    if (anchors.isEmpty()) {
      throw new IllegalArgumentException("at least one CA certificate");
    }
    Set<TrustAnchor> set = new HashSet<>();
    List<String> names = new ArrayList<>();
    for (X509Certificate c : anchors) {
      set.add(new TrustAnchor(Objects.requireNonNull(c), null));
      names.add(c.getSubjectX500Principal().getName());
    }
    return new KdcTrust(Set.copyOf(set), String.join("; ", names));
  }

  /** Largest CA file read: a bundle of a few hundred certificates fits. */
  static final int MAX_CA_FILE_BYTES = 4 << 20;

  /**
   * The CA certificates of a PEM (or DER) file.
   *
   * @throws AgentException KINIT_KDC_CA_FILE when it is missing, unreadable or holds no certificate
   */
  public static KdcTrust fromFile(Path file) throws AgentException {
    List<X509Certificate> certs = new ArrayList<>();
    try (InputStream in = new java.io.ByteArrayInputStream(InputFiles.read(file, MAX_CA_FILE_BYTES))) {
      for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certs.add((X509Certificate) c);
      }
    } catch (InputFiles.NotReadable e) {
      throw caFile(file, e.problem() == InputFiles.Problem.MISSING ? "it does not exist"
          : e.problem() == InputFiles.Problem.TOO_LARGE ? "it is larger than " + MAX_CA_FILE_BYTES + " bytes"
          : "it is not a regular file");
    } catch (NoSuchFileException e) {
      throw caFile(file, "it does not exist");
    } catch (IOException e) {
      throw caFile(file, "it cannot be read: " + e.getMessage());
    } catch (CertificateException e) {
      throw caFile(file, "it holds no readable X.509 certificate");
    }
    if (certs.isEmpty()) {
      throw caFile(file, "it holds no certificate");
    }
    return of(certs);
  }

  /** The trusted CAs' subjects, for messages. */
  public String describe() {
    return description;
  }

  /**
   * Checks the KDC's certificate; {@code others} are the further certificates the KDC sent
   * (intermediate CAs).
   *
   * @param realm the realm asked for
   * @param kdc the address the request went to
   * @throws AgentException KINIT_KDC_CERT_UNTRUSTED (no chain, or not valid at {@code now}),
   *     KINIT_KDC_CERT_NOT_KDC (no id-pkinit-KPKdc), KINIT_KDC_CERT_WRONG_NAME
   */
  void check(X509Certificate kdcCert, Collection<X509Certificate> others, Instant now, String realm,
      KdcAddress kdc) throws AgentException {
    String who = describe(kdcCert);
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(kdcCert);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(now));
      List<X509Certificate> pool = new ArrayList<>(others);
      pool.add(kdcCert);
      params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(pool)));
      CertPathBuilder.getInstance("PKIX").build(params);
    } catch (CertPathBuilderException e) {
      boolean expired = kdcCert.getNotAfter().toInstant().isBefore(now);
      boolean early = kdcCert.getNotBefore().toInstant().isAfter(now);
      throw new AgentException(AgentErrorCode.KINIT_KDC_CERT_UNTRUSTED, "The KDC at " + kdc
          + " signed its reply with a certificate that is not trusted (" + who + "): "
          + (expired ? "it expired on " + kdcCert.getNotAfter().toInstant()
              : early ? "it is not valid before " + kdcCert.getNotBefore().toInstant()
              : "it does not chain to the trusted KDC CA (" + description + ")")
          + ". The reply was refused and not used. Trust the enterprise CA that issued the domain"
          + " controllers' certificates.");
    } catch (GeneralSecurityException e) {
      throw new AgentException(AgentErrorCode.KINIT_KDC_CERT_UNTRUSTED, "The KDC's certificate ("
          + who + ") cannot be checked: " + e.getMessage() + ". The reply was refused and not used.");
    }
    List<String> ekus;
    try {
      ekus = kdcCert.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      ekus = null;
    }
    if (ekus == null || !ekus.contains(PkinitOids.KP_KDC.getId())) {
      throw new AgentException(AgentErrorCode.KINIT_KDC_CERT_NOT_KDC, "The KDC at " + kdc
          + " signed its reply with a certificate without the KDC extended key usage"
          + " (id-pkinit-KPKdc, 1.3.6.1.5.2.3.5; " + who + "): it is no KDC certificate, so the"
          + " reply was refused and not used. The domain controller needs a certificate with the"
          + " KDC Authentication EKU (the \"Kerberos Authentication\" template).");
    }
    KdcCertificateNames names = KdcCertificateNames.of(kdcCert);
    String domain = realm.toLowerCase(Locale.ROOT);
    boolean named = names.principals().stream().anyMatch(p -> p.sameName(KerberosName.tgs(realm)))
        || names.dnsNames().stream().anyMatch(d -> d.equalsIgnoreCase(domain)
            || (!kdc.isIpLiteral() && d.equalsIgnoreCase(kdc.host())));
    if (!named) {
      throw new AgentException(AgentErrorCode.KINIT_KDC_CERT_WRONG_NAME, "The KDC at " + kdc
          + " signed its reply with a certificate for another name (" + who + "; it names "
          + names.describe() + "), not krbtgt/" + realm + "@" + realm + ", " + domain
          + (kdc.isIpLiteral() ? "" : " or " + kdc.host()) + ": the reply was refused and not used."
          + " Check the realm and the KDC address.");
    }
  }

  private static String describe(X509Certificate c) {
    return "subject " + c.getSubjectX500Principal().getName() + ", issuer "
        + c.getIssuerX500Principal().getName();
  }

  private static AgentException caFile(Path file, String why) {
    return new AgentException(AgentErrorCode.KINIT_KDC_CA_FILE, "The KDC CA file " + file
        + " cannot be used: " + why + ". Give a PEM file with the enterprise CA certificate that"
        + " issued the domain controllers' certificates.");
  }

  @Override
  public String toString() {
    return "KdcTrust[" + description + "]";
  }
}
