package dev.keytrust.secret;

import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@link SecretBuffer#allocate} gets its memory: the first {@link SecretBufferProvider}
 * service, else the heap with one warning.
 */
final class SecretBuffers {
  private static final Logger LOG = LoggerFactory.getLogger(SecretBuffers.class);

  static final SecretBuffers DEFAULT = new SecretBuffers(SecretBuffers::loadProvider);

  private final Supplier<SecretBufferProvider> lookup;
  private final AtomicBoolean warned = new AtomicBoolean();
  private volatile SecretBufferProvider provider;
  private volatile boolean looked;

  /** @param lookup finds the provider (null when there is none); called once */
  SecretBuffers(Supplier<SecretBufferProvider> lookup) {
    this.lookup = lookup;
  }

  SecretMemory allocate(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1, got " + size);
    }
    SecretBufferProvider p = provider();
    if (p != null) {
      try {
        return p.allocate(size);
      } catch (RuntimeException | LinkageError e) {
        warnOnce("the secret buffer provider " + p.getClass().getName() + " failed (" + e + ")");
        return new HeapSecretMemory(size);
      }
    }
    warnOnce("no secret buffer provider (module keytrust-native) is on the class path");
    return new HeapSecretMemory(size);
  }

  private SecretBufferProvider provider() {
    if (!looked) {
      synchronized (this) {
        if (!looked) {
          provider = lookup.get();
          looked = true;
        }
      }
    }
    return provider;
  }

  private void warnOnce(String why) {
    if (warned.compareAndSet(false, true)) {
      LOG.warn(
          "Secrets (PIN bytes, auth values, derived keys) are kept in ordinary heap memory, which"
              + " may be swapped to disk or copied by the garbage collector: {}. They are still"
              + " zeroed after use. This warning is shown once.",
          why);
    } else {
      LOG.debug("secret buffer on the heap: {}", why);
    }
  }

  private static SecretBufferProvider loadProvider() {
    for (SecretBufferProvider p : ServiceLoader.load(SecretBufferProvider.class)) {
      return p;
    }
    return null;
  }
}
