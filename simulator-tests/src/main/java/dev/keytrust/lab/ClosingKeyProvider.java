package dev.keytrust.lab;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyProvider;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.key.SealedSecret;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import java.util.Objects;

/**
 * A key provider that runs {@code afterClose} once the provider it wraps is closed: for the lab,
 * the benchmarks and the tests that open a {@code TpmSession} of their own (a recording or timing
 * transport under it) and hand a {@code TpmKeyProvider} over it to {@code HelloKeys.of}, which
 * leaves the session to its caller. Every other call goes to the wrapped provider unchanged.
 */
public record ClosingKeyProvider(KeyProvider delegate, Runnable afterClose) implements KeyProvider {
  public ClosingKeyProvider {
    Objects.requireNonNull(delegate, "delegate");
    Objects.requireNonNull(afterClose, "afterClose");
  }

  @Override
  public ProviderKind kind() {
    return delegate.kind();
  }

  @Override
  public KeyContainer create(String user, KeyAlgorithm algorithm, Pin pin) throws KeytrustException {
    return delegate.create(user, algorithm, pin);
  }

  @Override
  public byte[] signDigest(KeyContainer key, byte[] sha256, Pin pin) throws KeytrustException {
    return delegate.signDigest(key, sha256, pin);
  }

  @Override
  public SealedSecret seal(KeyContainer key, SecretBuffer secret, Pin pin) throws KeytrustException {
    return delegate.seal(key, secret, pin);
  }

  @Override
  public SecretBuffer unseal(KeyContainer key, SealedSecret sealed, Pin pin) throws KeytrustException {
    return delegate.unseal(key, sealed, pin);
  }

  @Override
  public void close() {
    try {
      delegate.close();
    } finally {
      afterClose.run();
    }
  }
}
