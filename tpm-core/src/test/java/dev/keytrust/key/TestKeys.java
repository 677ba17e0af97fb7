package dev.keytrust.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Shared test helpers: containers with real public keys and made-up protected blobs. */
final class TestKeys {
  private TestKeys() {}

  static KeyPair ecPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static byte[] bytes(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (seed + i * 7);
    }
    return b;
  }

  static KeyContainer softwareContainer(String user) throws Exception {
    KeyPair p = ecPair();
    return new KeyContainer(user, ProviderKind.SOFTWARE, KeyAlgorithm.ECC_P256, BcryptKeyBlob.keyId(p.getPublic()),
        p.getPublic().getEncoded(), Instant.parse("2026-11-25T10:15:30.123456789Z"),
        new SoftwareKeyBlob(new Argon2Parameters(1024, 2, 1), bytes(16, 1), bytes(12, 2), bytes(150, 3),
            bytes(32, 8)));
  }

  static KeyContainer tpmContainer(String user) throws Exception {
    KeyPair p = ecPair();
    return new KeyContainer(user, ProviderKind.TPM, KeyAlgorithm.ECC_P256, BcryptKeyBlob.keyId(p.getPublic()),
        p.getPublic().getEncoded(), Instant.parse("2026-01-02T03:04:05Z"),
        new TpmKeyBlobs(0x81000001, bytes(34, 4), bytes(88, 5), bytes(126, 6), bytes(16, 7)));
  }

  /**
   * Leaves the files a {@link KeyContainerStore#save} of {@code key} killed just before it linked
   * the key file would leave: the first {@code stateFiles} of its initial state and the finished
   * temporary key file, in a user directory without a key file.
   */
  static void saveInterruptedBeforeTheKeyFileWasLinked(KeyContainerStore store, KeyContainer key, int stateFiles)
      throws Exception {
    Path dir = store.userDirectory(key.user());
    FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    Files.createDirectories(dir, ownerOnly);
    Files.setPosixFilePermissions(store.root(), PosixFilePermissions.fromString("rwx------"));
    List<Map.Entry<String, byte[]>> files = List.copyOf(key.protectedKey().initialState().entrySet());
    assertThat(files).hasSizeGreaterThanOrEqualTo(stateFiles);
    for (Map.Entry<String, byte[]> f : files.subList(0, stateFiles)) {
      writeOwnerOnly(dir.resolve(f.getKey()), f.getValue());
    }
    writeOwnerOnly(dir.resolve(".key.00112233aabbccdd.tmp"), KeyFileFormat.encode(key));
  }

  static void writeOwnerOnly(Path file, byte[] content) throws Exception {
    Files.write(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  /** Runs {@code call}, asserts it throws a KeytrustException with {@code code}, and returns it. */
  static KeytrustException failure(ErrorCode code, ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(KeytrustException.class);
    KeytrustException e = (KeytrustException) t;
    assertThat(e.code()).as("error code of: %s", e.getMessage()).isEqualTo(code);
    return e;
  }

  /** One attempt of a race: succeeds, or fails with a {@link KeytrustException}. */
  interface Attempt {
    void run() throws Exception;
  }

  /**
   * Starts every attempt on its own thread at the same moment and returns, in order, null for an
   * attempt that succeeded and the error code of one that failed with a {@link KeytrustException}.
   */
  static java.util.List<ErrorCode> startTogether(java.util.List<Attempt> attempts) throws Exception {
    java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(attempts.size());
    try {
      java.util.List<java.util.concurrent.Future<ErrorCode>> results = new java.util.ArrayList<>();
      for (Attempt a : attempts) {
        results.add(pool.submit(() -> {
          start.await();
          try {
            a.run();
            return null;
          } catch (KeytrustException e) {
            return e.code();
          }
        }));
      }
      start.countDown();
      java.util.List<ErrorCode> codes = new java.util.ArrayList<>();
      for (java.util.concurrent.Future<ErrorCode> f : results) {
        codes.add(f.get());
      }
      return codes;
    } finally {
      pool.shutdownNow();
    }
  }
}
