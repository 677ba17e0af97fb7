package dev.keytrust.attest;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.store.OwnerOnlyFiles;
import dev.keytrust.store.TextRecord;
import dev.keytrust.store.UserNames;
import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmKeyType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps a user's {@link AttestationKey} beside the key store ({@code
 * ROOT/.attestation/USER/attestation-key}, a checksummed {@link TextRecord} written through the
 * file layer, {@link OwnerOnlyFiles}): the AK's blobs (wrapped by the SRK), its AIK certificate
 * path and the EK certificate's issuer.
 *
 * <p>Why blobs in the store and not a persistent handle: persistent NV slots are few (a real TPM
 * has about seven for all its users and programs), making one needs owner authorization, and a
 * persistent object is shared by every account of the machine. Blobs cost nothing in the TPM, are
 * loaded only for a certification (and checked against the SRK's Name first), cannot be used on
 * another TPM, and are deleted with {@link #delete}. Nothing in the record is secret: the AK's auth
 * value is empty and its private part is wrapped by the SRK.
 */
public final class AttestationKeyStore {
  static final String RECORD = "attestation-key";
  static final String FORMAT = "keytrustAttestationKey";
  static final int VERSION = 1;
  /** The folder of attestation keys, beside the user directories: {@code ROOT/.attestation}. */
  static final String DIRECTORY = ".attestation";
  private static final OwnerOnlyFiles.Codes CODES = new OwnerOnlyFiles.Codes(
      CoreErrorCode.STORE_IO, CoreErrorCode.STORE_PERMISSIONS, CoreErrorCode.STORE_CORRUPT);

  private final Path root;
  private final OwnerOnlyFiles files = new OwnerOnlyFiles("key store", CODES);

  public AttestationKeyStore(KeyContainerStore store) {
    this.root = store.root().resolve(DIRECTORY);
  }

  /** Saves (replaces) the user's attestation key. */
  public void save(String user, AttestationKey ak) throws KeytrustException {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("type", ak.type().id());
    f.put("parentHandle", Integer.toHexString(ak.key().parentHandle()));
    f.put("parentName", HexFormat.of().formatHex(ak.key().parentName()));
    f.put("publicArea", Base64.getEncoder().encodeToString(ak.key().publicArea()));
    f.put("privateArea", Base64.getEncoder().encodeToString(ak.key().privateArea()));
    List<String> certs = new ArrayList<>();
    try {
      for (X509Certificate c : ak.aikCertificatePath()) {
        certs.add(Base64.getEncoder().encodeToString(c.getEncoded()));
      }
    } catch (CertificateEncodingException e) {
      throw new KeytrustException(CoreErrorCode.ATTEST_MALFORMED, "An AIK certificate does not encode.", e);
    }
    f.put("aikCertificatePath", String.join(" ", certs));
    f.put("ekIssuer", ak.ekIssuer());
    f.put("activatedAt", ak.activatedAt().toString());
    TextRecord.Writer w = new TextRecord.Writer(FORMAT, VERSION);
    f.forEach(w::text);
    Path dir = root.resolve(UserNames.directoryName(user));
    files.ensureDirectory(dir);
    try {
      files.writeAtomically(dir, RECORD, w.sealSha256(), true);
    } catch (IOException e) {
      throw files.io("write the attestation key of user '" + user + "' to " + dir, e);
    }
  }

  /**
   * The user's attestation key, or empty when none was enrolled.
   *
   * @throws KeytrustException ATTEST_KEY_UNUSABLE when the record is not a valid attestation key
   */
  public Optional<AttestationKey> find(String user) throws KeytrustException {
    Path dir = root.resolve(UserNames.directoryName(user));
    if (!files.directoryExists(dir, "nothing was read")) {
      return Optional.empty();
    }
    Optional<byte[]> data = files.read(dir.resolve(RECORD), TextRecord.MAX_SIZE);
    if (data.isEmpty()) {
      return Optional.empty();
    }
    try {
      TextRecord rec = TextRecord.parse(data.get(), FORMAT, VERSION);
      if (!rec.sha256Matches()) {
        throw new IllegalArgumentException("its checksum does not match its content");
      }
      TpmKeyType type = switch (field(rec, "type")) {
        case "rsa2048" -> TpmKeyType.RSA_2048;
        case "p256" -> TpmKeyType.ECC_P256;
        default -> throw new IllegalArgumentException("unknown type " + rec.get("type").orElse(""));
      };
      LoadableKey key = new LoadableKey(Integer.parseUnsignedInt(field(rec, "parentHandle"), 16),
          HexFormat.of().parseHex(field(rec, "parentName")), Base64.getDecoder().decode(field(rec, "publicArea")),
          Base64.getDecoder().decode(field(rec, "privateArea")));
      TpmtPublic.parse(key.publicArea());
      List<X509Certificate> path = new ArrayList<>();
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (String c : field(rec, "aikCertificatePath").split(" ")) {
        path.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(c))));
      }
      return Optional.of(new AttestationKey(type, key, path, field(rec, "ekIssuer"),
          Instant.parse(field(rec, "activatedAt"))));
    } catch (IllegalArgumentException | GeneralSecurityException | DateTimeParseException | AttestFormatException
        | TextRecord.FormatException e) {
      throw new KeytrustException(CoreErrorCode.ATTEST_KEY_UNUSABLE,
          "The attestation key record of user '" + user + "' is not usable (" + e.getMessage() + "). Delete it ("
              + dir.resolve(RECORD) + ") and enroll a new attestation key.", e);
    }
  }

  /** Removes the user's attestation key, if any. */
  public void delete(String user) throws KeytrustException {
    Path dir = root.resolve(UserNames.directoryName(user));
    if (files.directoryExists(dir, "nothing was deleted")) {
      files.delete(dir.resolve(RECORD));
    }
  }

  private static String field(TextRecord r, String name) {
    return r.get(name).orElseThrow(() -> new IllegalArgumentException("no field " + name));
  }
}
