package dev.keytrust.attest;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.UserRecord;
import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmKeyType;
import java.io.ByteArrayInputStream;
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
 * Keeps a user's {@link AttestationKey} as a record of the key store ({@code
 * ROOT/.records/USER/attestation-key}, a checksummed text record beside the user's key): the AK's
 * blobs (wrapped by the SRK), its AIK certificate path and the EK certificate's issuer.
 *
 * <p>Why blobs in the store and not a persistent handle: persistent NV slots are few (a real TPM
 * has about seven for all its users and programs), making one needs owner authorization, and a
 * persistent object is shared by every account of the machine. Blobs cost nothing in the TPM, are
 * loaded only for a certification (and checked against the SRK's Name first), cannot be used on
 * another TPM, and go away with the user's records. Nothing in the record is secret: the AK's auth
 * value is empty and its private part is wrapped by the SRK.
 */
public final class AttestationKeyStore {
  static final String RECORD = "attestation-key";
  static final String FORMAT = "keytrustAttestationKey";
  static final int VERSION = 1;

  private final KeyContainerStore store;

  public AttestationKeyStore(KeyContainerStore store) {
    this.store = store;
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
    store.writeRecord(user, RECORD, new UserRecord(FORMAT, VERSION, f));
  }

  /**
   * The user's attestation key, or empty when none was enrolled.
   *
   * @throws KeytrustException ATTEST_KEY_UNUSABLE when the record is not a valid attestation key
   */
  public Optional<AttestationKey> find(String user) throws KeytrustException {
    Optional<UserRecord> r = store.readRecord(user, RECORD, FORMAT, VERSION);
    if (r.isEmpty()) {
      return Optional.empty();
    }
    UserRecord rec = r.get();
    try {
      TpmKeyType type = switch (field(rec, "type")) {
        case "rsa2048" -> TpmKeyType.RSA_2048;
        case "p256" -> TpmKeyType.ECC_P256;
        default -> throw new IllegalArgumentException("unknown type " + rec.get("type"));
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
    } catch (IllegalArgumentException | GeneralSecurityException | DateTimeParseException | AttestFormatException e) {
      throw new KeytrustException(CoreErrorCode.ATTEST_KEY_UNUSABLE,
          "The attestation key record of user '" + user + "' is not usable (" + e.getMessage() + "). Delete it ("
              + RECORD + " in the user's records) and enroll a new attestation key.", e);
    }
  }

  /** Removes the user's attestation key, if any. */
  public void delete(String user) throws KeytrustException {
    store.deleteRecord(user, RECORD);
  }

  private static String field(UserRecord r, String name) {
    String v = r.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no field " + name);
    }
    return v;
  }
}
