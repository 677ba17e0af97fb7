package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustBugException;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import javax.crypto.KeyAgreement;
import javax.crypto.interfaces.DHPrivateKey;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHParameterSpec;
import javax.crypto.spec.DHPublicKeySpec;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.DomainParameters;

/**
 * The client's half of the PKINIT Diffie-Hellman exchange (RFC 4556 section 3.2.3.1) over the
 * 2048-bit MODP group 14 of RFC 3526: an ephemeral key pair per sign-in, its public value as
 * {@code dhpublicnumber} SubjectPublicKeyInfo, and the shared secret with the KDC's public value.
 */
final class DhKeyExchange {
  /** RFC 3526 group 14 prime (2048 bits); the generator is 2. */
  static final BigInteger P = new BigInteger(
      "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
      + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
      + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
      + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
      + "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
      + "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
      + "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
      + "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF", 16);
  static final BigInteger G = BigInteger.TWO;
  /** (p - 1) / 2: the order of the subgroup g generates (p is a safe prime). */
  static final BigInteger Q = P.subtract(BigInteger.ONE).shiftRight(1);
  /** The group's name in messages. */
  static final String GROUP_NAME = "MODP group 14 (2048-bit, RFC 3526)";

  private final KeyPair pair;

  private DhKeyExchange(KeyPair pair) {
    this.pair = pair;
  }

  /** A fresh ephemeral key pair. */
  static DhKeyExchange generate(SecureRandom random) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("DH");
      g.initialize(new DHParameterSpec(P, G), random);
      return new DhKeyExchange(g.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new KeytrustBugException("the JDK cannot make a MODP group 14 DH key", e);
    }
  }

  /** The public value as RFC 4556 wants it: dhpublicnumber with DomainParameters (p, g, q). */
  byte[] subjectPublicKeyInfo() {
    BigInteger y = ((DHPublicKey) pair.getPublic()).getY();
    try {
      AlgorithmIdentifier alg = new AlgorithmIdentifier(PkinitOids.DH_PUBLIC_NUMBER,
          new DomainParameters(P, G, Q, null, null));
      return new SubjectPublicKeyInfo(alg, new ASN1Integer(y)).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new KeytrustBugException("encoding the DH public value failed", e);
    }
  }

  /**
   * ZZ: the shared secret with the KDC's public value {@code kdcY}, as many bytes as p (leading
   * zeros kept). The caller wipes it.
   *
   * <p>The KDC's value is checked as RFC 7919 section 5.1 says for safe-prime groups: 1 < y < p-1
   * (which leaves out the only small subgroup, of order 2). The full subgroup test y^q = 1 would
   * cost another 2048-bit exponentiation (15 ms here) and keep out only one more bit.
   *
   * @throws IllegalArgumentException when {@code kdcY} is not 1 < y < p-1
   */
  byte[] sharedSecret(BigInteger kdcY) {
    if (kdcY.compareTo(BigInteger.ONE) <= 0 || kdcY.compareTo(P.subtract(BigInteger.ONE)) >= 0) {
      throw new IllegalArgumentException("the KDC's DH public value is not in MODP group 14");
    }
    try {
      DHPublicKey kdc = (DHPublicKey) KeyFactory.getInstance("DH")
          .generatePublic(new DHPublicKeySpec(kdcY, P, G));
      KeyAgreement ka = KeyAgreement.getInstance("DH");
      ka.init((DHPrivateKey) pair.getPrivate());
      ka.doPhase(kdc, true);
      byte[] z = ka.generateSecret();
      if (z.length == P.bitLength() / 8) {
        return z;
      }
      byte[] padded = new byte[P.bitLength() / 8];
      System.arraycopy(z, 0, padded, padded.length - z.length, z.length);
      java.util.Arrays.fill(z, (byte) 0);
      return padded;
    } catch (GeneralSecurityException e) {
      throw new KeytrustBugException("DH key agreement failed", e);
    }
  }
}
