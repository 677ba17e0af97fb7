package dev.keytrust.bench;

import dev.keytrust.agent.kinit.PkinitSigner;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;

/**
 * The benchmark's key outside any TPM: the same RSA key Heimdal's {@code kinit -C} reads from a PEM
 * file, signing with the JDK, so both clients do the same key work.
 */
final class JcaPkinitSigner implements PkinitSigner {
  private final KeyPair keys;

  JcaPkinitSigner(KeyPair keys) {
    this.keys = keys;
  }

  @Override
  public PublicKey publicKey() {
    return keys.getPublic();
  }

  @Override
  public byte[] sign(byte[] data) {
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(keys.getPrivate());
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
