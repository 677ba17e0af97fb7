package dev.keytrust.tpm.session;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * The salt of a salted session and its encryption to the session's tpmKey, the "secret sharing"
 * of TPM 2.0 Part 1 (Annex B.10.3 for RSA, Annex C.6.1 for ECC), with the label {@code SECRET}:
 *
 * <ul>
 *   <li>RSA: a random salt as long as the tpmKey's nameAlg digest, encrypted with RSAES-OAEP,
 *       hash and MGF1 hash = nameAlg, label {@code "SECRET\0"}.
 *   <li>ECC: an ephemeral key pair on the tpmKey's curve; Z = x(d_e * Q_tpmKey); salt =
 *       KDFe(nameAlg, Z, "SECRET", x(Q_e), x(Q_tpmKey), digest bits); the encrypted salt is the
 *       ephemeral public point as a TPMS_ECC_POINT.
 * </ul>
 *
 * Only the TPM holding the tpmKey's private key can recover the salt. {@link #close()} zeroes it.
 */
final class SessionSalt implements AutoCloseable {
  static final String LABEL = "SECRET";

  private final byte[] salt;
  private final byte[] encryptedSalt;

  private SessionSalt(byte[] salt, byte[] encryptedSalt) {
    this.salt = salt;
    this.encryptedSalt = encryptedSalt;
  }

  /** A fresh salt for {@code tpmKey} (RSA or ECC P-256). */
  static SessionSalt create(TpmtPublic tpmKey, SecureRandom random) throws KeytrustException {
    if (tpmKey.type() == TpmConstants.TPM_ALG_RSA) {
      byte[] salt = new byte[tpmKey.nameAlg().size()];
      random.nextBytes(salt);
      return rsa(tpmKey, salt, random);
    }
    if (tpmKey.type() == TpmConstants.TPM_ALG_ECC) {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return ecc(tpmKey, g.generateKeyPair());
      } catch (GeneralSecurityException e) {
        throw new KeytrustBugException("P-256 key generation missing from the JDK", e);
      }
    }
    throw new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM, "A session salt needs an RSA or ECC key.");
  }

  /**
   * RSA secret sharing with a given salt (taken over: zeroed by {@link #close()}); {@code
   * oaepRandom} supplies the OAEP seed.
   */
  static SessionSalt rsa(TpmtPublic tpmKey, byte[] salt, SecureRandom oaepRandom) throws KeytrustException {
    try {
      String hash = tpmKey.nameAlg().jcaDigest();
      byte[] label = (LABEL + "\0").getBytes(StandardCharsets.US_ASCII);
      Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
      oaep.init(Cipher.ENCRYPT_MODE, tpmKey.jcaPublicKey(),
          new OAEPParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), new PSource.PSpecified(label)), oaepRandom);
      return new SessionSalt(salt, oaep.doFinal(salt));
    } catch (GeneralSecurityException e) {
      Arrays.fill(salt, (byte) 0);
      throw new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM,
          "The session salt cannot be encrypted to the storage root key (" + e.getClass().getSimpleName() + ").", e);
    }
  }

  /** ECC secret sharing with a given ephemeral key pair (P-256). */
  static SessionSalt ecc(TpmtPublic tpmKey, KeyPair ephemeral) throws KeytrustException {
    byte[] z = null;
    try {
      KeyAgreement ka = KeyAgreement.getInstance("ECDH");
      ka.init(ephemeral.getPrivate());
      ka.doPhase(tpmKey.jcaPublicKey(), true);
      z = ka.generateSecret();
      ECPublicKey qe = (ECPublicKey) ephemeral.getPublic();
      byte[] qeX = fixed(qe.getW().getAffineX());
      byte[] qeY = fixed(qe.getW().getAffineY());
      byte[] qsX = fixed(new BigInteger(1, tpmKey.x()));
      TpmHash h = tpmKey.nameAlg();
      byte[] salt = Kdf.kdfe(h, z, LABEL, qeX, qsX, 8 * h.size());
      byte[] point = new TpmMarshaller().tpm2b(qeX).tpm2b(qeY).toByteArray();
      return new SessionSalt(salt, point);
    } catch (GeneralSecurityException e) {
      throw new KeytrustException(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM,
          "The session salt cannot be agreed with the storage root key (" + e.getClass().getSimpleName() + ").", e);
    } finally {
      if (z != null) {
        Arrays.fill(z, (byte) 0);
      }
    }
  }

  /** A P-256 coordinate as 32 bytes, left-padded (the size the TPM uses for the curve). */
  private static byte[] fixed(BigInteger v) {
    byte[] b = v.toByteArray();
    if (b.length == TpmtPublic.P256_BYTES) {
      return b;
    }
    byte[] out = new byte[TpmtPublic.P256_BYTES];
    int n = Math.min(b.length, TpmtPublic.P256_BYTES);
    System.arraycopy(b, b.length - n, out, TpmtPublic.P256_BYTES - n, n);
    return out;
  }

  /** The salt itself (not a copy): read it, never keep or log it. */
  byte[] salt() {
    return salt;
  }

  /** The encryptedSalt parameter of TPM2_StartAuthSession (the TPM2B's contents). */
  byte[] encryptedSalt() {
    return encryptedSalt.clone();
  }

  @Override
  public void close() {
    Arrays.fill(salt, (byte) 0);
  }

  @Override
  public String toString() {
    return "SessionSalt[" + encryptedSalt.length + " B encrypted]";
  }
}
