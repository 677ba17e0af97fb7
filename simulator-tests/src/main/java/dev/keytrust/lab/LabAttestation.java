package dev.keytrust.lab;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.attest.LabAttestationCa;
import dev.keytrust.lab.attest.LabTpmManufacturer;
import dev.keytrust.tpm.AttestationCommands;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Key attestation in {@code keytrust lab up}: the lab swtpm is manufactured with EK certificates
 * ({@link LabTpmManufacturer}, in {@code <lab>/manufacturer}) the first time its state is made, and
 * the lab key service gets an attestation CA trusting that manufacturer, whose certificate is
 * written to {@code <lab>/attestation-ca.pem} (a WebAuthn relying party's trust anchor).
 */
final class LabAttestation {
  static final String CA_FILE = "attestation-ca.pem";

  private LabAttestation() {}

  /** Manufactures the swtpm state {@code state} unless it exists already (its keys are kept then). */
  static void manufactureIfNew(Path labDir, Path state) {
    if (!LabTpmManufacturer.available() || Files.exists(state.resolve("tpm2-00.permall"))) {
      return;
    }
    LabTpmManufacturer.create(labDir.resolve("manufacturer")).manufacture(state);
  }

  /**
   * Adds the P-256 EK certificate when missing and enables attestation on {@code service}.
   *
   * @return the attestation CA's certificate file, or empty when the swtpm has no lab EK certificate
   */
  static Optional<Path> enable(Path labDir, Swtpm swtpm, LabKeyService service) {
    Path manufacturerDir = labDir.resolve("manufacturer");
    if (!LabTpmManufacturer.available() || !Files.isRegularFile(manufacturerDir.resolve("ca/issuercert.pem"))) {
      return Optional.empty();
    }
    LabTpmManufacturer manufacturer = LabTpmManufacturer.create(manufacturerDir);
    try (TpmSession session = TpmSession.open(TpmUri.parse(swtpm.tpmUri()))) {
      if (new AttestationCommands(session).readEkCertificate(TpmKeyType.ECC_P256).isEmpty()) {
        manufacturer.addEccEkCertificate(session);
      }
    } catch (KeytrustException e) {
      throw new LabException("Cannot give the lab swtpm its P-256 EK certificate: " + e, e);
    }
    LabAttestationCa ca = LabAttestationCa.create(Set.of(manufacturer.rootCertificate()),
        List.of(manufacturer.issuerCertificate()), Clock.systemUTC());
    service.enableAttestation(ca);
    Path file = labDir.resolve(CA_FILE);
    try {
      Files.writeString(file, "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(ca.certificate().getEncoded())
          + "\n-----END CERTIFICATE-----\n");
    } catch (IOException | CertificateEncodingException e) {
      throw new LabException("Cannot write " + file + ": " + e.getMessage(), e);
    }
    return Optional.of(file);
  }
}
