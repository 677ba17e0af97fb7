package dev.keytrust.credential;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;

/** P-256 public keys for the JCA. */
final class EcKeys {
  private EcKeys() {}

  static ECPublicKey p256PublicKey(byte[] x, byte[] y) throws KeytrustException {
    try {
      AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
      params.init(new ECGenParameterSpec("secp256r1"));
      ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
      ECPoint w = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
      return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new KeytrustException(
          CoreErrorCode.KEY_CREDENTIAL_UNSUPPORTED_KEY,
          "The JDK does not accept the P-256 key of this key credential (" + e.getMessage()
              + "); check that the JDK provides secp256r1.",
          e);
    }
  }
}
