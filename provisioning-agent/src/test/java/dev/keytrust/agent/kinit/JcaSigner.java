package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link PkinitSigner} over a JCA key pair, counting its signatures. */
final class JcaSigner implements PkinitSigner {
  private final KeyPair keys;
  final AtomicInteger signatures = new AtomicInteger();

  JcaSigner(KeyPair keys) {
    this.keys = keys;
  }

  @Override
  public PublicKey publicKey() {
    return keys.getPublic();
  }

  @Override
  public byte[] sign(byte[] data) throws KeytrustException {
    signatures.incrementAndGet();
    try {
      Signature s = Signature.getInstance(signatureAlgorithm());
      s.initSign(keys.getPrivate());
      s.update(data);
      return s.sign();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
