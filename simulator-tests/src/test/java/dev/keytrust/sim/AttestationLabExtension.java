package dev.keytrust.sim;

import dev.keytrust.lab.LabFiles;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.lab.attest.LabAttestationCa;
import dev.keytrust.lab.attest.LabTpmManufacturer;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One attestation lab per test class: a TPM manufactured by the lab's manufacturer (swtpm_setup
 * with EK certificates; the P-256 EK certificate added), a TCP swtpm on it, a keytrust session to
 * it (close it before tpm2-tools connects: {@link #closeSession()}), and the lab attestation CA
 * trusting that manufacturer. Register on a static field with {@code @RegisterExtension}.
 */
final class AttestationLabExtension implements BeforeAllCallback, AfterAllCallback {
  private Path dir;
  private LabTpmManufacturer manufacturer;
  private Swtpm swtpm;
  private TpmSession session;
  private LabAttestationCa ca;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("kt-attest-");
    manufacturer = LabTpmManufacturer.create(dir.resolve("manufacturer"));
    manufacturer.manufacture(dir.resolve("tpm"));
    swtpm = Swtpm.startTcp(dir.resolve("tpm"));
    session = TpmSession.open(TpmUri.parse(swtpm.tpmUri()));
    manufacturer.addEccEkCertificate(session);
    ca = LabAttestationCa.create(Set.of(manufacturer.rootCertificate()), List.of(manufacturer.issuerCertificate()),
        Clock.systemUTC());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      closeSession();
      if (swtpm != null) {
        swtpm.stop();
      }
    } finally {
      if (dir != null) {
        LabFiles.deleteTree(dir);
      }
    }
  }

  Path dir() {
    return dir;
  }

  LabTpmManufacturer manufacturer() {
    return manufacturer;
  }

  Swtpm swtpm() {
    return swtpm;
  }

  /** The open keytrust session (opened again after {@link #closeSession()}). */
  TpmSession session() throws Exception {
    if (session == null) {
      session = TpmSession.open(TpmUri.parse(swtpm.tpmUri()));
    }
    return session;
  }

  void closeSession() {
    if (session != null) {
      session.close();
      session = null;
    }
  }

  LabAttestationCa ca() {
    return ca;
  }
}
