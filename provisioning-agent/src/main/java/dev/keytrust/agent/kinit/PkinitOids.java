package dev.keytrust.agent.kinit;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;

/** The object identifiers of PKINIT (RFC 4556) and of the Microsoft UPN name. */
final class PkinitOids {
  /** id-pkinit-authData: eContentType of the client's signed AuthPack. */
  static final ASN1ObjectIdentifier AUTH_DATA = new ASN1ObjectIdentifier("1.3.6.1.5.2.3.1");
  /** id-pkinit-DHKeyData: eContentType of the KDC's signed KDCDHKeyInfo. */
  static final ASN1ObjectIdentifier DH_KEY_DATA = new ASN1ObjectIdentifier("1.3.6.1.5.2.3.2");
  /** id-pkinit-KPKdc: the extended key usage of a KDC certificate. */
  static final ASN1ObjectIdentifier KP_KDC = new ASN1ObjectIdentifier("1.3.6.1.5.2.3.5");
  /** id-pkinit-san: the subjectAltName otherName holding a Kerberos principal name. */
  static final ASN1ObjectIdentifier PKINIT_SAN = new ASN1ObjectIdentifier("1.3.6.1.5.2.2");
  /** Microsoft's UPN subjectAltName otherName (szOID_NT_PRINCIPAL_NAME). */
  static final ASN1ObjectIdentifier MS_UPN_SAN = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.20.2.3");
  /** dhpublicnumber (ANSI X9.42): the algorithm of the client's DH public value. */
  static final ASN1ObjectIdentifier DH_PUBLIC_NUMBER = new ASN1ObjectIdentifier("1.2.840.10046.2.1");

  private PkinitOids() {}
}
