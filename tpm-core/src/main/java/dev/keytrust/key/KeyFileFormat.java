package dev.keytrust.key;

import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.store.TextRecord;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Set;

/**
 * The key file of one user ({@link TextRecord} format {@code keytrust-key}, version 2).
 *
 * <pre>
 *   format=keytrust-key
 *   version=2
 *   user=LAB\alice                       the user name exactly as given (checked on read)
 *   provider=software | tpm
 *   algorithm=rsa2048 | p256
 *   keyId=64 upper-case hex digits       SHA-256 of the BCRYPT public key blob
 *   publicKey=base64 SubjectPublicKeyInfo DER
 *   createdAt=ISO-8601 instant
 *   software:  kdf=argon2id, kdfMemoryKiB, kdfIterations, kdfParallelism, salt, nonce, ciphertext (base64),
 *              counterId (64 hex digits: SHA-256 of the attempt counter's secret, see {@link AttemptCounter})
 *   tpm:       parentHandle=8 hex digits, parentName, publicArea, privateArea, authSalt (base64)
 *   sha256=checksum of everything above
 * </pre>
 *
 * <p>Version history (nothing before version 2 shipped, so only the current version is read):
 * version 1 had no {@code counterId}; version 2 added it, so a software key file says that its
 * attempt counter must exist.
 */
final class KeyFileFormat {
  static final String FORMAT = "keytrust-key";
  static final int VERSION = 2;

  private static final Set<String> SOFTWARE_FIELDS =
      Set.of("user", "provider", "algorithm", "keyId", "publicKey", "createdAt",
          "kdf", "kdfMemoryKiB", "kdfIterations", "kdfParallelism", "salt", "nonce", "ciphertext", "counterId");
  private static final Set<String> TPM_FIELDS =
      Set.of("user", "provider", "algorithm", "keyId", "publicKey", "createdAt",
          "parentHandle", "parentName", "publicArea", "privateArea", "authSalt");

  private KeyFileFormat() {}

  static byte[] encode(KeyContainer c) {
    TextRecord.Writer w = new TextRecord.Writer(FORMAT, VERSION)
        .text("user", c.user())
        .text("provider", c.provider().id())
        .text("algorithm", c.algorithm().id())
        .text("keyId", c.keyIdHex())
        .bytes("publicKey", c.publicKeyDer())
        .text("createdAt", c.createdAt().toString());
    if (c.protectedKey() instanceof SoftwareKeyBlob s) {
      w.text("kdf", "argon2id")
          .number("kdfMemoryKiB", s.kdf().memoryKiB())
          .number("kdfIterations", s.kdf().iterations())
          .number("kdfParallelism", s.kdf().parallelism())
          .bytes("salt", s.salt())
          .bytes("nonce", s.nonce())
          .bytes("ciphertext", s.ciphertext())
          .hex("counterId", s.counterId());
    } else if (c.protectedKey() instanceof TpmKeyBlobs t) {
      w.text("parentHandle", String.format("%08x", t.parentHandle()))
          .bytes("parentName", t.parentName())
          .bytes("publicArea", t.publicArea())
          .bytes("privateArea", t.privateArea())
          .bytes("authSalt", t.authSalt());
    }
    return w.sealSha256();
  }

  /**
   * Decodes and checks a key file.
   *
   * @param user the user whose directory the file was read from
   * @param file the file, for messages
   */
  static KeyContainer decode(byte[] data, String user, java.nio.file.Path file) throws KeytrustException {
    String remedy = " Delete the key of user '" + user + "' and create a new one; other users' keys are not"
        + " affected.";
    TextRecord r;
    try {
      r = TextRecord.parse(data, FORMAT, VERSION);
    } catch (TextRecord.FormatException e) {
      if (e.unsupportedVersion() != 0) {
        throw new KeytrustException(CoreErrorCode.STORE_VERSION_UNSUPPORTED,
            "The key file " + file + " has format version " + e.unsupportedVersion() + "; this keytrust reads"
                + " version " + VERSION + ". Use the keytrust version that created it, or, if none did, the file is"
                + " damaged:" + remedy);
      }
      throw corrupt(file, e.getMessage(), remedy, e);
    }
    if (!r.sha256Matches()) {
      throw corrupt(file, "its checksum does not match its content: it was truncated, half-written or edited",
          remedy, null);
    }
    String stored;
    try {
      stored = r.text("user");
    } catch (TextRecord.FormatException e) {
      throw corrupt(file, e.getMessage(), remedy, e);
    }
    if (!stored.equals(user)) {
      throw new KeytrustException(CoreErrorCode.STORE_CORRUPT,
          "The key file " + file + " belongs to user '" + stored + "', not '" + user + "': it was moved or"
              + " copied by hand." + remedy);
    }
    try {
      ProviderKind provider = ProviderKind.fromId(r.text("provider"));
      r.requireFields(provider == ProviderKind.TPM ? TPM_FIELDS : SOFTWARE_FIELDS);
      KeyAlgorithm algorithm = KeyAlgorithm.fromId(r.text("algorithm"));
      byte[] keyId = HexFormat.of().parseHex(r.text("keyId"));
      byte[] publicKey = r.bytes("publicKey");
      Instant createdAt = Instant.parse(r.text("createdAt"));
      ProtectedKey pk;
      if (provider == ProviderKind.TPM) {
        String handle = r.text("parentHandle");
        if (!handle.matches("[0-9a-f]{8}")) {
          throw new TextRecord.FormatException("parentHandle is not 8 hex digits");
        }
        pk = new TpmKeyBlobs(Integer.parseUnsignedInt(handle, 16), r.bytes("parentName"), r.bytes("publicArea"),
            r.bytes("privateArea"), r.bytes("authSalt"));
      } else {
        if (!r.text("kdf").equals("argon2id")) {
          throw new TextRecord.FormatException("kdf is not argon2id");
        }
        Argon2Parameters kdf = new Argon2Parameters(
            (int) r.number("kdfMemoryKiB", 1, Integer.MAX_VALUE),
            (int) r.number("kdfIterations", 1, Integer.MAX_VALUE),
            (int) r.number("kdfParallelism", 1, Integer.MAX_VALUE));
        pk = new SoftwareKeyBlob(kdf, r.bytes("salt"), r.bytes("nonce"), r.bytes("ciphertext"), r.hex("counterId"));
      }
      KeyContainer c = new KeyContainer(user, provider, algorithm, keyId, publicKey, createdAt, pk);
      if (!MessageDigest.isEqual(keyId, BcryptKeyBlob.keyId(c.publicKey()))) {
        throw new TextRecord.FormatException("keyId does not match the public key");
      }
      return c;
    } catch (TextRecord.FormatException e) {
      throw corrupt(file, e.getMessage(), remedy, e);
    } catch (KeytrustException e) {
      throw corrupt(file, "a field has an invalid value", remedy, e);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw corrupt(file, "a field has an invalid value", remedy, e);
    }
  }

  private static KeytrustException corrupt(java.nio.file.Path file, String why, String remedy, Throwable cause) {
    return new KeytrustException(CoreErrorCode.STORE_CORRUPT,
        "The key file " + file + " is damaged: " + why + "." + remedy, cause);
  }
}
