package dev.keytrust.bench;

import dev.keytrust.agent.kinit.PkinitSigner;
import dev.keytrust.error.KeytrustException;
import java.security.PublicKey;

/** A {@link PkinitSigner} that adds up the time its delegate spends signing. */
final class TimedSigner implements PkinitSigner {
  private final PkinitSigner delegate;
  private long nanos;
  private int signatures;

  TimedSigner(PkinitSigner delegate) {
    this.delegate = delegate;
  }

  @Override
  public PublicKey publicKey() {
    return delegate.publicKey();
  }

  @Override
  public byte[] sign(byte[] data) throws KeytrustException {
    long t0 = System.nanoTime();
    try {
      return delegate.sign(data);
    } finally {
      nanos += System.nanoTime() - t0;
      signatures++;
    }
  }

  /** The signing time since the last call, and resets it. */
  long takeNanos() {
    long n = nanos;
    nanos = 0;
    return n;
  }

  int signatures() {
    return signatures;
  }
}
