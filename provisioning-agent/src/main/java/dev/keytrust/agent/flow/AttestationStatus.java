package dev.keytrust.agent.flow;

import dev.keytrust.agent.records.UserRecord;
import dev.keytrust.agent.records.UserRecords;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainerStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the user's registered key was attested, as provisioning recorded it ({@code
 * ROOT/.records/USER/attestation}) and {@code keytrust status} shows it: attested with the AIK and
 * EK certificates' issuers, or not, with the reason.
 *
 * @param attested whether the endpoint's attestation CA accepted the key's TPM2_Certify
 * @param keyIdBase64 the key the record is about
 * @param endpoint the endpoint attested to
 * @param aikIssuer the AIK certificate's issuer (attested only)
 * @param ekIssuer the EK certificate's issuer (attested only)
 * @param tpm the TPM's manufacturer, model and version (attested only)
 * @param reason why the key is not attested (not attested only)
 * @param at when
 */
public record AttestationStatus(boolean attested, String keyIdBase64, String endpoint, String aikIssuer,
    String ekIssuer, String tpm, String reason, Instant at) {
  static final String RECORD = "attestation";
  static final String FORMAT = "keytrustAttestation";
  static final int VERSION = 1;

  public AttestationStatus {
    Objects.requireNonNull(keyIdBase64, "keyIdBase64");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(at, "at");
  }

  static AttestationStatus attested(String keyId, String endpoint, String aikIssuer, String ekIssuer, String tpm,
      Instant at) {
    return new AttestationStatus(true, keyId, endpoint, aikIssuer, ekIssuer, tpm, null, at);
  }

  static AttestationStatus notAttested(String keyId, String endpoint, String reason, Instant at) {
    return new AttestationStatus(false, keyId, endpoint, null, null, null, oneLine(reason), at);
  }

  /** The user's attestation record, if provisioning wrote one. */
  public static Optional<AttestationStatus> read(KeyContainerStore store, String user) throws KeytrustException {
    Optional<UserRecord> r = new UserRecords(store).read(user, RECORD, FORMAT, VERSION);
    if (r.isEmpty()) {
      return Optional.empty();
    }
    UserRecord u = r.get();
    try {
      return Optional.of(new AttestationStatus("yes".equals(u.get("attested")), u.get("keyId"), u.get("endpoint"),
          u.get("aikIssuer"), u.get("ekIssuer"), u.get("tpm"), u.get("reason"), Instant.parse(u.get("at"))));
    } catch (RuntimeException e) {
      return Optional.empty(); // a damaged record says nothing; the next provisioning rewrites it
    }
  }

  void write(KeyContainerStore store, String user) throws KeytrustException {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("attested", attested ? "yes" : "no");
    f.put("keyId", keyIdBase64);
    f.put("endpoint", endpoint);
    put(f, "aikIssuer", aikIssuer);
    put(f, "ekIssuer", ekIssuer);
    put(f, "tpm", tpm);
    put(f, "reason", reason);
    f.put("at", at.toString());
    new UserRecords(store).write(user, RECORD, new UserRecord(FORMAT, VERSION, f));
  }

  /** One line for status: {@code yes (AIK issued by ..., EK from ...)} or {@code no: <reason>}. */
  public String summary() {
    return attested ? "yes (AIK issued by " + aikIssuer + ", EK from " + ekIssuer + ")" : "no: " + reason;
  }

  private static void put(Map<String, String> f, String name, String value) {
    if (value != null) {
      f.put(name, value);
    }
  }

  private static String oneLine(String s) {
    return s == null ? "unknown" : s.replaceAll("\\p{Cntrl}+", " ");
  }
}
