package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.webauthn4j.WebAuthnManager;
import com.webauthn4j.anchor.TrustAnchorRepository;
import com.webauthn4j.data.PublicKeyCredentialParameters;
import com.webauthn4j.data.PublicKeyCredentialType;
import com.webauthn4j.data.RegistrationData;
import com.webauthn4j.data.RegistrationParameters;
import com.webauthn4j.data.RegistrationRequest;
import com.webauthn4j.data.attestation.authenticator.AAGUID;
import com.webauthn4j.data.attestation.statement.COSEAlgorithmIdentifier;
import com.webauthn4j.data.attestation.statement.TPMAttestationStatement;
import com.webauthn4j.data.client.Origin;
import com.webauthn4j.data.client.challenge.DefaultChallenge;
import com.webauthn4j.server.ServerProperty;
import com.webauthn4j.verifier.attestation.statement.tpm.TPMAttestationStatementVerifier;
import com.webauthn4j.verifier.attestation.trustworthiness.certpath.DefaultCertPathTrustworthinessVerifier;
import com.webauthn4j.verifier.attestation.trustworthiness.self.DefaultSelfAttestationTrustworthinessVerifier;
import com.webauthn4j.verifier.exception.VerificationException;
import dev.keytrust.attest.AttestationKey;
import dev.keytrust.attest.KeyAttestor;
import dev.keytrust.attest.WebAuthnTpmAttestation;
import dev.keytrust.internal.Sha256;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * keytrust's WebAuthn {@code tpm} attestation of a TPM user key is accepted by an independent
 * verifier, webauthn4j, given only the lab attestation CA as trust anchor: the attestationObject
 * and clientDataJSON a browser would hand a relying party.
 */
class WebAuthnTpmAttestationOnSwtpmTest {
  @RegisterExtension static final AttestationLabExtension LAB = new AttestationLabExtension();

  static final String RP_ID = "login.keytrust.test";
  static final String ORIGIN = "https://" + RP_ID;

  static WebAuthnManager verifier(X509Certificate anchor) {
    TrustAnchorRepository anchors = new TrustAnchorRepository() {
      @Override
      public Set<TrustAnchor> find(AAGUID aaguid) {
        return Set.of(new TrustAnchor(anchor, null));
      }

      @Override
      public Set<TrustAnchor> find(byte[] attestationCertificateKeyIdentifier) {
        return Set.of(new TrustAnchor(anchor, null));
      }
    };
    return new WebAuthnManager(List.of(new TPMAttestationStatementVerifier()),
        new DefaultCertPathTrustworthinessVerifier(anchors), new DefaultSelfAttestationTrustworthinessVerifier());
  }

  static RegistrationParameters parameters(byte[] challenge) {
    return new RegistrationParameters(new ServerProperty(new Origin(ORIGIN), RP_ID, new DefaultChallenge(challenge)),
        List.of(new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.RS256),
            new PublicKeyCredentialParameters(PublicKeyCredentialType.PUBLIC_KEY, COSEAlgorithmIdentifier.ES256)),
        true, true);
  }

  WebAuthnTpmAttestation.Result attest(TpmKeyType userKey, byte[] challenge) throws Exception {
    TpmSession session = LAB.session();
    KeyAttestor attestor = new KeyAttestor(session, Clock.systemUTC());
    AttestationKey ak = attestor.enroll(TpmKeyType.RSA_2048, TpmKeyType.RSA_2048, LAB.ca().authority());
    try (SecretBuffer auth = SecretBuffer.copyOf(new byte[] {4, 7, 1, 1})) {
      TpmSession.CreatedKey key = session.createSigningKey(userKey, auth);
      WebAuthnTpmAttestation.Request request = WebAuthnTpmAttestation.request(RP_ID, ORIGIN, challenge,
          Sha256.of(key.publicKey().getEncoded()), key.publicKey());
      return request.complete(attestor.certify(key.key(), auth, ak, request.qualifyingData()));
    }
  }

  @ParameterizedTest
  @EnumSource(TpmKeyType.class)
  void webauthn4jAcceptsTheTpmStatementWithTheLabAttestationCaAsTrustAnchor(TpmKeyType userKey) throws Exception {
    byte[] challenge = Sha256.of(new byte[] {(byte) userKey.ordinal()});
    WebAuthnTpmAttestation.Result result = attest(userKey, challenge);

    RegistrationData data = verifier(LAB.ca().certificate()).verify(
        new RegistrationRequest(result.attestationObject(), result.clientDataJson()), parameters(challenge));

    assertThat(data.getAttestationObject().getFormat()).isEqualTo("tpm");
    TPMAttestationStatement stmt = (TPMAttestationStatement) data.getAttestationObject().getAttestationStatement();
    assertThat(stmt.getVer()).isEqualTo("2.0");
    assertThat(stmt.getAlg()).isEqualTo(COSEAlgorithmIdentifier.RS256);
    assertThat(stmt.getX5c().getEndEntityAttestationCertificate().getCertificate().getIssuerX500Principal().getName())
        .contains("keytrust lab attestation CA");
  }

  @Test
  void webauthn4jRefusesTheStatementWithAnotherTrustAnchor() throws Exception {
    byte[] challenge = new byte[] {1, 2, 3};
    WebAuthnTpmAttestation.Result result = attest(TpmKeyType.ECC_P256, challenge);
    X509Certificate otherCa = dev.keytrust.lab.attest.LabAttestationCa
        .create(Set.of(LAB.manufacturer().rootCertificate()), List.of(), Clock.systemUTC()).certificate();
    assertThatThrownBy(() -> verifier(otherCa).verify(
        new RegistrationRequest(result.attestationObject(), result.clientDataJson()), parameters(challenge)))
        .isInstanceOf(VerificationException.class);
  }

  @Test
  void webauthn4jRefusesAStatementForAnotherChallenge() throws Exception {
    WebAuthnTpmAttestation.Result result = attest(TpmKeyType.RSA_2048, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> verifier(LAB.ca().certificate()).verify(
        new RegistrationRequest(result.attestationObject(), result.clientDataJson()), parameters(new byte[] {9})))
        .isInstanceOf(VerificationException.class);
  }
}
