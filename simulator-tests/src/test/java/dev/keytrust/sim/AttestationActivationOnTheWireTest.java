package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.attest.AttestationAuthority;
import dev.keytrust.attest.AttestationKey;
import dev.keytrust.attest.EndorsementKey;
import dev.keytrust.attest.KeyAttestor;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmTransports;
import dev.keytrust.tpm.TpmUri;
import dev.keytrust.tpm.session.CommandChannel;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Credential activation as an attacker on the TPM's bus or socket sees it: every byte of a whole
 * enrollment (EK certificate, EK, AK, TPM2_ActivateCredential, the CA's AIK certificate) is
 * recorded and searched for the credential the TPM recovered, and the ActivateCredential response
 * is changed in flight. For each EK and AK type (RSA 2048, P-256), on the attestation lab's swtpm.
 * The search can fail: with the session's {@code encrypt} attribute removed from
 * TPM2_ActivateCredential, it finds the credential in the response to 0x147.
 */
class AttestationActivationOnTheWireTest {
  @RegisterExtension static final AttestationLabExtension LAB = new AttestationLabExtension();
  static final int TPM_CC_ACTIVATE_CREDENTIAL = 0x147;
  static final int TPMA_SESSION_ENCRYPT = 0x40;

  @BeforeAll
  static void oneConnectionAtATime() {
    LAB.closeSession(); // swtpm serves one connection: each test opens its own, recorded
  }

  /** The CA's side, remembering the credential the TPM recovered and counting AIK certificates issued. */
  static final class WatchedAuthority implements AttestationAuthority {
    final AttestationAuthority ca = LAB.ca().authority();
    final List<byte[]> credentials = new ArrayList<>();
    int activations;

    @Override
    public Challenge challenge(EndorsementKey ek, byte[] akPublicArea) throws KeytrustException {
      return ca.challenge(ek, akPublicArea);
    }

    @Override
    public List<X509Certificate> activate(String challengeId, SecretBuffer credential) throws KeytrustException {
      activations++;
      credentials.add(credential.copy(InsecureSecretAccess.get()));
      return ca.activate(challengeId, credential);
    }

    @Override
    public String describe() {
      return "the watched lab attestation CA";
    }
  }

  static RecordingTransport recorded() throws KeytrustException {
    return new RecordingTransport(
        TpmTransports.open(TpmUri.parse(LAB.swtpm().tpmUri()), TpmTransports.DEFAULT_IO_TIMEOUT));
  }

  @ParameterizedTest
  @EnumSource(TpmKeyType.class)
  void theActivatedCredentialNeverCrossesTheWireInClear(TpmKeyType type) throws Exception {
    WatchedAuthority authority = new WatchedAuthority();
    RecordingTransport rt = recorded();
    List<RecordingTransport.Exchange> wire;
    try (TpmSession session = TpmSession.open(rt, true)) {
      rt.start();
      AttestationKey ak = new KeyAttestor(session, Clock.systemUTC()).enroll(type, type, authority);
      wire = rt.stop();
      assertThat(ak.aikIssuer()).contains("keytrust lab attestation CA");
      assertNothingLoaded(session::execute);
    }
    assertThat(authority.activations).isEqualTo(1);
    byte[] credential = authority.credentials.get(0);
    assertThat(credential).hasSize(32);

    // the search covered the command: exactly one TPM2_ActivateCredential, and it succeeded
    List<RecordingTransport.Exchange> activations =
        wire.stream().filter(e -> e.commandCode() == TPM_CC_ACTIVATE_CREDENTIAL).toList();
    assertThat(activations).hasSize(1);
    RecordingTransport.Exchange activation = activations.get(0);
    assertThat(activation.responseCode()).isZero();

    // no 8-byte run of the credential occurs anywhere in any command or response of the enrollment
    SessionWire.assertNoSecretOnTheWire(wire, Map.of("the activated credential", credential));
    // and the response's certInfo, where it would be in clear, is as long as it but other bytes
    ByteBuffer r = ByteBuffer.wrap(activation.response());
    int size = r.getShort(SessionWire.PARAMETERS) & 0xFFFF;
    assertThat(size).isEqualTo(credential.length);
    byte[] onTheWire = Arrays.copyOfRange(activation.response(), SessionWire.PARAMETERS + 2,
        SessionWire.PARAMETERS + 2 + size);
    assertThat(onTheWire).isNotEqualTo(credential);

    // the AK's authorization: a salted HMAC session (0x02) asking for the response to be encrypted;
    // the EK's: a policy session (0x03) with an empty HMAC
    ByteBuffer c = ByteBuffer.wrap(activation.command());
    int at = 10 + 8 + 4; // header, activateHandle and keyHandle, authorizationSize
    assertThat(c.getInt(at) >>> 24).as("the AK's session").isEqualTo(0x02);
    at += 4;
    at += 2 + (c.getShort(at) & 0xFFFF); // nonceCaller
    assertThat(c.get(at) & TPMA_SESSION_ENCRYPT).as("the AK's session has encrypt").isEqualTo(TPMA_SESSION_ENCRYPT);
    at += 1;
    assertThat(c.getShort(at) & 0xFFFF).as("the AK's session carries an HMAC").isEqualTo(32);
    at += 2 + 32;
    assertThat(c.getInt(at) >>> 24).as("the EK's session").isEqualTo(0x03);
    at += 4;
    at += 2 + (c.getShort(at) & 0xFFFF);
    at += 1;
    assertThat(c.getShort(at) & 0xFFFF).as("the policy session's HMAC").isZero();
  }

  @ParameterizedTest
  @EnumSource(TpmKeyType.class)
  void aChangedActivateCredentialResponseIsATypedErrorAndNoAikIsIssued(TpmKeyType type) throws Exception {
    // one byte of the encrypted certInfo, then the last byte of the AK session's response HMAC (the
    // response ends with it, then the policy session's entry: 32-byte nonceTPM, attributes, empty HMAC)
    int policyEntry = 2 + 32 + 1 + 2;
    List<UnaryOperator<byte[]>> changes = List.of(RecordingTransport.flipByteAt(SessionWire.PARAMETERS + 2),
        RecordingTransport.flipByteAt(-policyEntry - 1));
    for (UnaryOperator<byte[]> change : changes) {
      WatchedAuthority authority = new WatchedAuthority();
      RecordingTransport rt = recorded();
      try (TpmSession session = TpmSession.open(rt, true)) {
        rt.tamperOnce(TPM_CC_ACTIVATE_CREDENTIAL, change);
        KeyAttestor attestor = new KeyAttestor(session, Clock.systemUTC());
        assertThatThrownBy(() -> attestor.enroll(type, type, authority))
            .isInstanceOfSatisfying(KeytrustException.class, e -> {
              assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_RESPONSE_NOT_AUTHENTIC);
              assertThat(e.getMessage()).contains("TPM2_ActivateCredential");
            });
        assertThat(rt.tampered()).isEqualTo(1);
        assertThat(authority.activations).as("credentials handed to the CA").isZero();
        assertNothingLoaded(session::execute);
        // the connection is still good: an untouched enrollment succeeds
        AttestationKey ak = attestor.enroll(type, type, authority);
        assertThat(ak.aikIssuer()).contains("keytrust lab attestation CA");
        assertThat(authority.activations).isEqualTo(1);
      }
    }
  }

  /** No transient object and no session (HMAC 0x02 or policy 0x03) is left in the TPM. */
  static void assertNothingLoaded(CommandChannel channel) throws KeytrustException {
    assertThat(SessionWire.handles(channel, 0x80000000)).as("transient objects left loaded").isEmpty();
    ByteBuffer cmd = ByteBuffer.allocate(22);
    cmd.putShort((short) 0x8001).putInt(22).putInt(0x17A).putInt(1).putInt(0x02000000).putInt(64);
    ByteBuffer r = ByteBuffer.wrap(channel.execute("TPM2_GetCapability", cmd.array()));
    r.position(10);
    r.get(); // moreData
    assertThat(r.getInt()).isEqualTo(1); // TPM_CAP_HANDLES
    List<Integer> sessions = new ArrayList<>();
    for (int i = r.getInt(); i > 0; i--) {
      int h = r.getInt();
      if ((h >>> 24) == 0x02 || (h >>> 24) == 0x03) {
        sessions.add(h);
      }
    }
    assertThat(sessions).as("sessions left loaded").isEmpty();
  }
}
