package dev.keytrust.agent.kinit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.bouncycastle.asn1.DERGeneralizedTime;

/** DER helpers for the Kerberos types keytrust encodes itself. */
final class KerberosDer {
  private static final DateTimeFormatter KERBEROS_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  private KerberosDer() {}

  /** KerberosTime: GeneralizedTime in UTC, whole seconds, no fraction (RFC 4120 section 5.2.3). */
  static DERGeneralizedTime time(Instant t) {
    return new DERGeneralizedTime(KERBEROS_TIME.format(t));
  }
}
