package dev.keytrust.agent.kinit;

import java.util.Objects;

/**
 * How a sign-in went, public data only: for reports and logs.
 *
 * @param kdc where the request went
 * @param kdcCertificateSubject the subject of the certificate that signed the KDC's reply
 * @param kdcCertificateIssuer its issuer (a trusted CA or an intermediate below one)
 * @param dhGroup the Diffie-Hellman group
 * @param freshnessToken true when the KDC sent a freshness token (RFC 8070) and the request carried it
 * @param replyKeyEtype the enctype of the AS reply key
 */
public record PkinitDetails(KdcAddress kdc, String kdcCertificateSubject, String kdcCertificateIssuer,
    String dhGroup, boolean freshnessToken, int replyKeyEtype) {

  public PkinitDetails {
    Objects.requireNonNull(kdc, "kdc");
    Objects.requireNonNull(kdcCertificateSubject, "kdcCertificateSubject");
    Objects.requireNonNull(kdcCertificateIssuer, "kdcCertificateIssuer");
    Objects.requireNonNull(dhGroup, "dhGroup");
  }
}
