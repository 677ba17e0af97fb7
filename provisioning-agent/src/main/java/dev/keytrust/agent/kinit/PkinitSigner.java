package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustException;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;

/**
 * The user's key as PKINIT uses it: the public half goes into the on-the-fly certificate, and the
 * private half signs that certificate and the request's AuthPack. {@link KeyTrustKinit} calls
 * {@link #sign} twice per sign-in, the certificate first, so a wrong PIN fails before anything is
 * sent to the KDC.
 */
public interface PkinitSigner {

  /** The user's public key (RSA, or EC P-256). */
  PublicKey publicKey();

  /**
   * Signs {@code data}: RSASSA-PKCS1-v1_5 over SHA-256 for RSA, DER ECDSA over SHA-256 for EC.
   *
   * @throws KeytrustException the key's errors: wrong PIN (with the tries left), lockout, TPM errors
   */
  byte[] sign(byte[] data) throws KeytrustException;

  /** The JCA name of the signatures {@link #sign} makes: {@code SHA256withRSA} or {@code SHA256withECDSA}. */
  default String signatureAlgorithm() {
    return publicKey() instanceof RSAPublicKey ? "SHA256withRSA" : "SHA256withECDSA";
  }

  /** True for RSA keys, the only kind a key trust KDC is known to accept (Samba 4.24: RSA only). */
  default boolean isRsa() {
    return publicKey() instanceof RSAPublicKey;
  }
}
