package dev.keytrust.lab.attest;

import dev.keytrust.attest.TpmtPublic;
import java.io.ByteArrayOutputStream;
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
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * TPM2_MakeCredential done by the attestation CA in Java (TPM 2.0 Part 1 §24, Part 3 §12.6; the
 * same as go-attestation's {@code credactivation.Generate}), for an EK with nameAlg SHA-256 and
 * AES-128-CFB (the TCG templates L-1 and L-2):
 *
 * <ol>
 *   <li>a seed of 32 bytes, given to the EK: RSA-OAEP (SHA-256, label {@code "IDENTITY\0"}) for
 *       an RSA EK; for an ECC EK the seed is {@code KDFe(SHA-256, Z, "IDENTITY", Qe.x, Qek.x)} of a
 *       fresh ephemeral key Qe, and Qe is what the TPM gets;
 *   <li>{@code symKey = KDFa(SHA-256, seed, "STORAGE", Name(AK), "", 128)}, {@code encIdentity =
 *       AES-128-CFB(symKey, IV 0, TPM2B_DIGEST(credential))};
 *   <li>{@code hmacKey = KDFa(SHA-256, seed, "INTEGRITY", "", "", 256)}, {@code outerHMAC =
 *       HMAC-SHA-256(hmacKey, encIdentity || Name(AK))};
 *   <li>credentialBlob = TPM2B_ID_OBJECT {@code (TPM2B_DIGEST outerHMAC, encIdentity)}, secret =
 *       TPM2B_ENCRYPTED_SECRET of the encrypted seed (or of Qe as TPMS_ECC_POINT).
 * </ol>
 *
 * <p>Only the TPM holding the EK's private key recovers the seed, and it releases the credential
 * only to an object loaded in it whose Name is Name(AK).
 */
public final class MakeCredential {
  private static final SecureRandom RANDOM = new SecureRandom();

  private MakeCredential() {}

  /**
   * The two inputs of TPM2_ActivateCredential, each with its 2-byte size.
   *
   * @param credentialBlob TPM2B_ID_OBJECT
   * @param encryptedSecret TPM2B_ENCRYPTED_SECRET
   */
  public record Blobs(byte[] credentialBlob, byte[] encryptedSecret) {
    public Blobs {
      credentialBlob = credentialBlob.clone();
      encryptedSecret = encryptedSecret.clone();
    }

    @Override
    public byte[] credentialBlob() {
      return credentialBlob.clone();
    }

    @Override
    public byte[] encryptedSecret() {
      return encryptedSecret.clone();
    }
  }

  /**
   * Wraps {@code credential} (at most 32 bytes) for the EK {@code ek} and the AK Name {@code akName}.
   *
   * @throws IllegalArgumentException when the EK is not an RSA or ECC P-256 key with nameAlg SHA-256 and
   *     AES-128-CFB, or the credential is too long
   */
  public static Blobs make(TpmtPublic ek, byte[] akName, byte[] credential)
      throws GeneralSecurityException, dev.keytrust.error.KeytrustException {
    if (ek.nameAlg() != 0x000B || ek.symmetricAlg() != 0x0006 || ek.symmetricKeyBits() != 128) {
      throw new IllegalArgumentException("the EK is not a nameAlg SHA-256, AES-128-CFB key: " + ek);
    }
    if (credential.length == 0 || credential.length > 32) {
      throw new IllegalArgumentException("a credential is 1 to 32 bytes");
    }
    byte[] seed;
    byte[] encryptedSeed;
    if (ek.isRsa()) {
      seed = new byte[32];
      RANDOM.nextBytes(seed);
      Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
      oaep.init(Cipher.ENCRYPT_MODE, ek.publicKey(), new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
          new PSource.PSpecified("IDENTITY\0".getBytes(StandardCharsets.US_ASCII))), RANDOM);
      encryptedSeed = oaep.doFinal(seed);
    } else {
      if (ek.eccCurve() != 0x0003) {
        throw new IllegalArgumentException("only P-256 ECC EKs are supported");
      }
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair ephemeral = g.generateKeyPair();
      KeyAgreement ka = KeyAgreement.getInstance("ECDH");
      ka.init(ephemeral.getPrivate());
      ka.doPhase(ek.publicKey(), true);
      byte[] z = ka.generateSecret();
      ECPublicKey qe = (ECPublicKey) ephemeral.getPublic();
      byte[] qx = fixed(qe.getW().getAffineX(), 32);
      byte[] qy = fixed(qe.getW().getAffineY(), 32);
      seed = kdfe(z, "IDENTITY", qx, ek.eccX(), 256);
      Arrays.fill(z, (byte) 0);
      encryptedSeed = concat(sized(qx), sized(qy)); // TPMS_ECC_POINT
    }
    try {
      byte[] symKey = kdfa(seed, "STORAGE", akName, new byte[0], 128);
      Cipher aes = Cipher.getInstance("AES/CFB/NoPadding");
      aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(symKey, "AES"), new IvParameterSpec(new byte[16]));
      byte[] encIdentity = aes.doFinal(sized(credential));
      byte[] hmacKey = kdfa(seed, "INTEGRITY", new byte[0], new byte[0], 256);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
      mac.update(encIdentity);
      mac.update(akName);
      byte[] outerHmac = mac.doFinal();
      Arrays.fill(symKey, (byte) 0);
      Arrays.fill(hmacKey, (byte) 0);
      return new Blobs(sized(concat(sized(outerHmac), encIdentity)), sized(encryptedSeed));
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /** KDFa with SHA-256 (TPM 2.0 Part 1 §11.4.10.2, SP 800-108 counter mode with HMAC). */
  static byte[] kdfa(byte[] key, String label, byte[] contextU, byte[] contextV, int bits)
      throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int counter = 1; out.size() < bits / 8; counter++) {
      mac.update(int32(counter));
      mac.update(label.getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) 0);
      mac.update(contextU);
      mac.update(contextV);
      mac.update(int32(bits));
      out.writeBytes(mac.doFinal());
    }
    return Arrays.copyOf(out.toByteArray(), bits / 8);
  }

  /** KDFe with SHA-256 (TPM 2.0 Part 1 §11.4.10.3, SP 800-56A concatenation KDF). */
  static byte[] kdfe(byte[] z, String label, byte[] partyU, byte[] partyV, int bits)
      throws GeneralSecurityException {
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int counter = 1; out.size() < bits / 8; counter++) {
      md.update(int32(counter));
      md.update(z);
      md.update(label.getBytes(StandardCharsets.US_ASCII));
      md.update((byte) 0);
      md.update(partyU);
      md.update(partyV);
      out.writeBytes(md.digest());
    }
    return Arrays.copyOf(out.toByteArray(), bits / 8);
  }

  private static byte[] int32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  static byte[] sized(byte[] b) {
    byte[] out = new byte[2 + b.length];
    out[0] = (byte) (b.length >>> 8);
    out[1] = (byte) b.length;
    System.arraycopy(b, 0, out, 2, b.length);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] fixed(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    if (b.length == size) {
      return b;
    }
    byte[] out = new byte[size];
    int n = Math.min(b.length, size);
    System.arraycopy(b, b.length - n, out, size - n, n);
    return out;
  }
}
