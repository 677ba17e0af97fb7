package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.attest.AttestationKey;
import dev.keytrust.attest.AttestationRefusedException;
import dev.keytrust.attest.CertifyVerifier;
import dev.keytrust.attest.EndorsementKey;
import dev.keytrust.attest.KeyAttestationStatement;
import dev.keytrust.attest.KeyAttestor;
import dev.keytrust.attest.TpmDeviceAttributes;
import dev.keytrust.attest.TpmaObject;
import dev.keytrust.attest.TpmtPublic;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.TpmCommandException;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.lab.attest.LabAttestationCa;
import dev.keytrust.lab.attest.LabTpmManufacturer;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.AttestationCommands;
import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import dev.keytrust.key.MutableClock;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Key attestation end to end on swtpm, with the lab's TPM manufacturer (swtpm_setup's local CA
 * issuing EK certificates into NV) and the lab's attestation CA: EK certificate, credential
 * activation of an attestation key, AIK certificate, TPM2_Certify of RSA and P-256 user keys, and
 * the CA's numbered refusals.
 */
class AttestationOnSwtpmTest {
  @RegisterExtension static final AttestationLabExtension LAB = new AttestationLabExtension();
  static TpmSession session;
  static LabAttestationCa ca;
  static LabTpmManufacturer manufacturer;
  static Path dir;

  @BeforeAll
  static void lab() throws Exception {
    session = LAB.session();
    ca = LAB.ca();
    manufacturer = LAB.manufacturer();
    dir = LAB.dir();
  }

  private static SecretBuffer auth() {
    return SecretBuffer.copyOf(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
  }

  @ParameterizedTest
  @EnumSource(TpmKeyType.class)
  void ekCertificateIsReadFromNvAndMatchesTheEkRecreatedFromTheTcgTemplate(TpmKeyType type) throws Exception {
    EndorsementKey ek = new KeyAttestor(session, Clock.systemUTC()).endorsementKey(type);
    assertThat(ek.certificate().getIssuerX500Principal().getName()).isEqualTo("CN=swtpm-localca");
    assertThat(TpmDeviceAttributes.of(ek.certificate())).hasValue(
        new TpmDeviceAttributes("id:00001014", "swtpm", "id:20191023"));
    assertThat(ek.publicArea().authPolicy()).hasSize(32);
  }

  @ParameterizedTest
  @EnumSource(TpmKeyType.class)
  void userKeyOfEachTypeIsCertifiedByAnActivatedAttestationKeyAndTheCaAcceptsIt(TpmKeyType type) throws Exception {
    KeyAttestor attestor = new KeyAttestor(session, Clock.systemUTC());
    // the P-256 run goes through the ECC EK (ECDH + KDFe MakeCredential) and an ECDSA AK
    AttestationKey ak = attestor.enroll(type, type, ca.authority());
    assertThat(ak.aikIssuer()).contains("keytrust lab attestation CA");
    assertThat(ak.ekIssuer()).isEqualTo("CN=swtpm-localca");
    assertThat(TpmtPublic.parse(ak.key().publicArea()).objectAttributes()).isEqualTo(TpmaObject.ATTESTATION_KEY);

    try (SecretBuffer auth = auth()) {
      TpmSession.CreatedKey key = session.createSigningKey(type, auth);
      byte[] nonce = ca.issueNonce();
      KeyAttestationStatement statement = attestor.certify(key.key(), auth, ak, nonce);
      CertifyVerifier.VerifiedKey verified = ca.verifyKey(statement, nonce, key.publicKey());
      assertThat(verified.publicArea().objectAttributes()).isEqualTo(TpmaObject.USER_KEY);
      assertThat(verified.publicArea().schemeAlg()).isEqualTo(0x0010); // TPM_ALG_NULL: the new template
      assertThat(verified.tpm().model()).isEqualTo("swtpm");
    }
  }

  @Test
  void ekCertificateFromAnUnknownManufacturerIsRefusedAtStep2() throws Exception {
    LabTpmManufacturer other = LabTpmManufacturer.create(dir.resolve("other-manufacturer"));
    other.manufacture(dir.resolve("other-tpm-state")); // creates the other manufacturer's CA
    LabAttestationCa strict = LabAttestationCa.create(Set.of(other.rootCertificate()),
        List.of(other.issuerCertificate()), Clock.systemUTC());
    KeyAttestor attestor = new KeyAttestor(session, Clock.systemUTC());
    assertThatThrownBy(() -> attestor.enroll(TpmKeyType.RSA_2048, TpmKeyType.RSA_2048, strict.authority()))
        .isInstanceOfSatisfying(AttestationRefusedException.class, e -> {
          assertThat(e.step()).isEqualTo(2);
          assertThat(e.getMessage()).contains("does not chain to a TPM manufacturer");
        });
  }

  @Test
  void activationSecretMadeForAnotherTpmsEkDoesNotComeBackAndNoAikIsIssued() throws Exception {
    Path state = dir.resolve("second-tpm");
    manufacturer.manufacture(state);
    EndorsementKey otherEk;
    try (Swtpm second = Swtpm.startTcp(state);
        TpmSession other = TpmSession.open(TpmUri.parse(second.tpmUri()))) {
      otherEk = new KeyAttestor(other, Clock.systemUTC()).endorsementKey(TpmKeyType.RSA_2048);
    }
    AttestationCommands tpm = new AttestationCommands(session);
    LoadableKey ak = tpm.createAttestationKey(TpmKeyType.RSA_2048);
    // the CA wraps its credential to the second TPM's EK (a certificate it trusts) ...
    LabAttestationCa.Challenge challenge =
        ca.startActivation(List.of(otherEk.certificate()), otherEk.publicArea().rawBytes(), ak.publicArea());
    // ... which this TPM cannot unwrap
    assertThatThrownBy(() -> tpm.activateCredential(ak, TpmKeyType.RSA_2048,
        challenge.blobs().credentialBlob(), challenge.blobs().encryptedSecret()).close())
        .isInstanceOf(TpmCommandException.class);
    // and a guessed secret gets no AIK certificate
    assertThatThrownBy(() -> ca.finishActivation(challenge.id(), new byte[32]))
        .isInstanceOfSatisfying(AttestationRefusedException.class, e -> assertThat(e.step()).isEqualTo(6));
  }

  @Test
  void akWithAnotherNameThanTheOneTheCredentialWasMadeForIsRefusedByTheTpm() throws Exception {
    AttestationCommands tpm = new AttestationCommands(session);
    EndorsementKey ek = new KeyAttestor(session, Clock.systemUTC()).endorsementKey(TpmKeyType.RSA_2048);
    LoadableKey ak1 = tpm.createAttestationKey(TpmKeyType.RSA_2048);
    LoadableKey ak2 = tpm.createAttestationKey(TpmKeyType.RSA_2048);
    LabAttestationCa.Challenge challenge =
        ca.startActivation(List.of(ek.certificate()), ek.publicArea().rawBytes(), ak1.publicArea());
    assertThatThrownBy(() -> tpm.activateCredential(ak2, TpmKeyType.RSA_2048,
        challenge.blobs().credentialBlob(), challenge.blobs().encryptedSecret()).close())
        .isInstanceOf(TpmCommandException.class);
  }

  @Test
  void replayedNonceIsRefusedAtStep5() throws Exception {
    KeyAttestor attestor = new KeyAttestor(session, Clock.systemUTC());
    AttestationKey ak = attestor.enroll(TpmKeyType.RSA_2048, TpmKeyType.RSA_2048, ca.authority());
    try (SecretBuffer auth = auth()) {
      TpmSession.CreatedKey key = session.createSigningKey(TpmKeyType.RSA_2048, auth);
      byte[] nonce = ca.issueNonce();
      KeyAttestationStatement statement = attestor.certify(key.key(), auth, ak, nonce);
      ca.verifyKey(statement, nonce, key.publicKey());
      assertThatThrownBy(() -> ca.verifyKey(statement, nonce, key.publicKey()))
          .isInstanceOfSatisfying(AttestationRefusedException.class, e -> {
            assertThat(e.step()).isEqualTo(5);
            assertThat(e.getMessage()).contains("replay");
          });
      // a nonce the CA never issued
      byte[] made = new byte[32];
      KeyAttestationStatement forged = attestor.certify(key.key(), auth, ak, made);
      assertThatThrownBy(() -> ca.verifyKey(forged, made, key.publicKey()))
          .isInstanceOfSatisfying(AttestationRefusedException.class, e -> assertThat(e.step()).isEqualTo(5));
    }
  }

  @Test
  void expiredNonceAndExpiredActivationAreRefused() throws Exception {
    MutableClock clock = new MutableClock(Instant.now());
    LabAttestationCa timed = LabAttestationCa.create(Set.of(manufacturer.rootCertificate()),
        List.of(manufacturer.issuerCertificate()), clock);
    KeyAttestor attestor = new KeyAttestor(session, Clock.systemUTC());
    AttestationKey ak = attestor.enroll(TpmKeyType.RSA_2048, TpmKeyType.RSA_2048, timed.authority());
    try (SecretBuffer auth = auth()) {
      TpmSession.CreatedKey key = session.createSigningKey(TpmKeyType.RSA_2048, auth);
      byte[] nonce = timed.issueNonce();
      KeyAttestationStatement statement = attestor.certify(key.key(), auth, ak, nonce);
      clock.advance(LabAttestationCa.NONCE_LIFETIME.plusSeconds(1));
      assertThatThrownBy(() -> timed.verifyKey(statement, nonce, key.publicKey()))
          .isInstanceOfSatisfying(AttestationRefusedException.class, e -> {
            assertThat(e.step()).isEqualTo(5);
            assertThat(e.getMessage()).contains("expired");
          });
    }
    EndorsementKey ek = attestor.endorsementKey(TpmKeyType.RSA_2048);
    LabAttestationCa.Challenge late = timed.startActivation(List.of(ek.certificate()), ek.publicArea().rawBytes(),
        new AttestationCommands(session).createAttestationKey(TpmKeyType.RSA_2048).publicArea());
    clock.advance(LabAttestationCa.ACTIVATION_LIFETIME.plusSeconds(1));
    assertThatThrownBy(() -> timed.finishActivation(late.id(), new byte[32]))
        .isInstanceOfSatisfying(AttestationRefusedException.class, e -> {
          assertThat(e.step()).isEqualTo(6);
          assertThat(e.getMessage()).contains("expired");
        });
  }

  @Test
  void publicAreaSwappedForASoftwareKeysIsRefused() throws Exception {
    KeyAttestor attestor = new KeyAttestor(session, Clock.systemUTC());
    AttestationKey ak = attestor.enroll(TpmKeyType.RSA_2048, TpmKeyType.RSA_2048, ca.authority());
    try (SecretBuffer auth = auth()) {
      TpmSession.CreatedKey key = session.createSigningKey(TpmKeyType.RSA_2048, auth);
      byte[] nonce = ca.issueNonce();
      KeyAttestationStatement statement = attestor.certify(key.key(), auth, ak, nonce);
      // the same template with a software key's modulus: every attribute right, but not the certified object
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      RSAPublicKey soft = (RSAPublicKey) g.generateKeyPair().getPublic();
      byte[] area = key.key().publicArea();
      byte[] modulus = unsigned(soft.getModulus(), 256);
      System.arraycopy(modulus, 0, area, area.length - 256, 256);
      KeyAttestationStatement swapped = KeyAttestationStatement.builder().certifyInfo(statement.certifyInfo())
          .signature(statement.signature()).publicArea(area).aikCertificatePath(statement.aikCertificatePath());
      assertThatThrownBy(() -> ca.verifyKey(swapped, nonce, soft))
          .isInstanceOfSatisfying(AttestationRefusedException.class, e -> {
            assertThat(e.step()).isEqualTo(6);
            assertThat(e.getMessage()).contains("not the object the TPM certified");
          });
      // the real public area, but a software key registered: step 8
      byte[] nonce2 = ca.issueNonce();
      KeyAttestationStatement real = attestor.certify(key.key(), auth, ak, nonce2);
      assertThatThrownBy(() -> ca.verifyKey(real, nonce2, soft))
          .isInstanceOfSatisfying(AttestationRefusedException.class, e -> assertThat(e.step()).isEqualTo(8));
    }
  }

  @Test
  void wrongPinForTheCertifiedKeyIsAWrongPinError() throws Exception {
    KeyAttestor attestor = new KeyAttestor(session, Clock.systemUTC());
    AttestationKey ak = attestor.enroll(TpmKeyType.ECC_P256, TpmKeyType.RSA_2048, ca.authority());
    try (SecretBuffer auth = auth(); SecretBuffer wrong = SecretBuffer.copyOf(new byte[] {9})) {
      TpmSession.CreatedKey key = session.createSigningKey(TpmKeyType.ECC_P256, auth);
      assertThatThrownBy(() -> attestor.certify(key.key(), wrong, ak, ca.issueNonce()))
          .isInstanceOfSatisfying(KeytrustException.class,
              e -> assertThat(e.code()).isEqualTo(CoreErrorCode.WRONG_PIN));
    }
  }

  static byte[] unsigned(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    return b.length == size ? b : Arrays.copyOfRange(b, b.length - size, b.length);
  }
}
