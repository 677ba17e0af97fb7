package dev.keytrust.tpm.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmTemplates;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Command and response buffers: exact layout, round trips, and every malformed response refused. */
class MarshallingTest {
  static final HexFormat HEX = HexFormat.of();

  @Test
  void commandWithASessionHasTheLayoutOfPart1() {
    TpmsAuthCommand auth = new TpmsAuthCommand(0x02000000, new byte[] {1, 2}, 0x21, new byte[] {9, 9, 9});
    byte[] cmd = CommandBuffer.marshal(0x153, new int[] {0x81000001}, auth, new byte[] {(byte) 0xAA, (byte) 0xBB});
    assertThat(HEX.formatHex(cmd)).isEqualTo(
        "8002" + "00000022" + "00000153"     // tag, commandSize (34), TPM_CC_Create
            + "81000001"                     // handle area
            + "0000000e"                     // authorizationSize: 4 + 2+2 + 1 + 2+3
            + "02000000" + "00020102" + "21" + "0003090909"
            + "aabb");                       // parameters
    assertThat(ByteBuffer.wrap(cmd, 2, 4).getInt()).isEqualTo(cmd.length);
  }

  @Test
  void commandWithoutSessionsHasNoAuthorizationArea() {
    byte[] cmd = CommandBuffer.marshal(0x165, new int[0], null, new byte[] {0x02, 0, 0, 0});
    assertThat(HEX.formatHex(cmd)).isEqualTo("8001" + "0000000e" + "00000165" + "02000000");
  }

  /** A response with one handle, parameters and one TPMS_AUTH_RESPONSE, as a TPM marshals it. */
  static byte[] response(int[] handles, byte[] parameters, TpmsAuthResponse auth) {
    TpmMarshaller m = new TpmMarshaller();
    m.u16(auth == null ? 0x8001 : 0x8002).u32(0).u32(0);
    for (int h : handles) {
      m.u32(h);
    }
    if (auth != null) {
      m.u32(parameters.length);
    }
    m.bytes(parameters);
    if (auth != null) {
      auth.marshal(m);
    }
    return withSize(m.toByteArray());
  }

  static byte[] withSize(byte[] r) {
    ByteBuffer.wrap(r).putInt(2, r.length);
    return r;
  }

  static final TpmsAuthResponse AUTH = new TpmsAuthResponse(new byte[32], 0x01, new byte[32]);

  @Test
  void responseRoundTrips() throws KeytrustException {
    byte[] params = {0, 3, 7, 8, 9};
    ResponseBuffer r = ResponseBuffer.parse(response(new int[] {0x80000001}, params, AUTH), "test", 1, true);
    assertThat(r.handles()).containsExactly(0x80000001);
    assertThat(r.parameters()).isEqualTo(params);
    assertThat(r.auth().sessionAttributes()).isEqualTo(1);
    assertThat(r.auth().nonce()).hasSize(32);
    assertThat(r.auth().hmac()).hasSize(32);

    ResponseBuffer plain = ResponseBuffer.parse(response(new int[0], params, null), "test", 0, false);
    assertThat(plain.parameters()).isEqualTo(params);
    assertThat(plain.auth()).isNull();
  }

  @Test
  void everyTruncationOfAResponseIsRefused() {
    byte[] full = response(new int[] {0x80000001}, new byte[] {0, 2, 5, 6}, AUTH);
    for (int len = 0; len < full.length; len++) {
      byte[] cut = Arrays.copyOf(full, len);
      if (len >= 6) {
        withSize(cut); // a consistent header, so the structure itself must be found short
      }
      Malformed.refused(() -> ResponseBuffer.parse(cut, "test", 1, true));
    }
  }

  @Test
  void trailingBytesAreRefused() {
    byte[] full = response(new int[] {0x80000001}, new byte[] {0, 2, 5, 6}, AUTH);
    byte[] longer = withSize(Arrays.copyOf(full, full.length + 1));
    Malformed.refused(() -> ResponseBuffer.parse(longer, "test", 1, true));
    byte[] plain = response(new int[0], new byte[] {1}, null);
    Malformed.refused(() -> TpmCommands.parseLoad(new byte[] {0, 1, 5, 0}));
    Malformed.refused(() -> ResponseBuffer.parse(Arrays.copyOf(plain, plain.length + 1), "test", 0, false));
  }

  @Test
  void inconsistentHeadersAreRefused() {
    byte[] ok = response(new int[] {0x80000001}, new byte[] {0, 0}, AUTH);
    byte[] badSize = ok.clone();
    badSize[5]++;
    Malformed.refused(() -> ResponseBuffer.parse(badSize, "test", 1, true));
    // sent with a session, answered without one (an attacker stripping the HMAC)
    Malformed.refused(() -> ResponseBuffer.parse(response(new int[] {1}, new byte[] {0, 0}, null), "test", 1, true));
    Malformed.refused(() -> ResponseBuffer.parse(ok, "test", 1, false));
    byte[] error = withSize(new TpmMarshaller().u16(0x8001).u32(0).u32(0x98E).toByteArray());
    Malformed.refused(() -> ResponseBuffer.parse(error, "test", 0, false));
    // parameterSize beyond the end
    byte[] bigParams = ok.clone();
    ByteBuffer.wrap(bigParams).putInt(14, 1000);
    Malformed.refused(() -> ResponseBuffer.parse(bigParams, "test", 1, true));
    // an HMAC longer than any digest
    byte[] hugeHmac = response(new int[] {1}, new byte[0], new TpmsAuthResponse(new byte[32], 1, new byte[65]));
    Malformed.refused(() -> ResponseBuffer.parse(hugeHmac, "test", 1, true));
  }

  @Test
  void responseParametersAreParsedExactly() throws KeytrustException {
    // TPMT_SIGNATURE: ECDSA, SHA-256, r and s
    byte[] sig = new TpmMarshaller().u16(0x0018).u16(0x000B).tpm2b(new byte[] {1}).tpm2b(new byte[] {(byte) 0x80})
        .toByteArray();
    assertThat(HEX.formatHex(TpmCommands.parseSign(sig, 0x0018, 0))).isEqualTo("3007020101020200" + "80");
    Malformed.refused(() -> TpmCommands.parseSign(Arrays.copyOf(sig, sig.length + 1), 0x0018, 0));
    Malformed.refused(() -> TpmCommands.parseSign(sig, 0x0014, 256)); // not the key's scheme
    byte[] rsa = new TpmMarshaller().u16(0x0014).u16(0x000B).tpm2b(new byte[255]).toByteArray();
    Malformed.refused(() -> TpmCommands.parseSign(rsa, 0x0014, 256)); // too short for the modulus
    byte[] sha1 = new TpmMarshaller().u16(0x0018).u16(0x0004).tpm2b(new byte[] {1}).tpm2b(new byte[] {1}).toByteArray();
    Malformed.refused(() -> TpmCommands.parseSign(sha1, 0x0018, 0));

    byte[] unseal = new TpmMarshaller().tpm2b(new byte[] {4, 5}).toByteArray();
    assertThat(TpmCommands.parseUnseal(unseal)).containsExactly(4, 5);
    Malformed.refused(() -> TpmCommands.parseUnseal(new TpmMarshaller().tpm2b(new byte[129]).toByteArray()));
    Malformed.refused(() -> TpmCommands.parseUnseal(Arrays.copyOf(unseal, 5)));
  }

  @Test
  void createResponseRoundTripsAndRefusesExtraBytes() throws KeytrustException {
    byte[] pub = TpmTemplates.userKey(TpmKeyType.ECC_P256);
    byte[] params = new TpmMarshaller()
        .tpm2b(new byte[] {7, 7, 7})   // outPrivate
        .tpm2b(pub)                    // outPublic
        .tpm2b(new byte[10])           // creationData
        .tpm2b(new byte[32])           // creationHash
        .u16(0x8021).u32(0x40000001).tpm2b(new byte[32]) // creationTicket
        .toByteArray();
    ObjectBlobs blobs = TpmCommands.parseCreate(params);
    assertThat(blobs.publicArea()).isEqualTo(pub);
    assertThat(blobs.privateArea()).containsExactly(0, 3, 7, 7, 7);
    Malformed.refused(() -> TpmCommands.parseCreate(Arrays.copyOf(params, params.length + 1)));
    Malformed.refused(() -> TpmCommands.parseCreate(Arrays.copyOf(params, params.length - 1)));
  }

  @Test
  void sensitiveCreateIsTheNestedTpm2b() {
    assertThat(HEX.formatHex(TpmCommands.sensitiveCreate(new byte[] {1, 2}, new byte[] {3})))
        .isEqualTo("0007" + "00020102" + "000103");
  }

  @Test
  void unmarshallerChecksEveryLength() throws KeytrustException {
    TpmUnmarshaller in = new TpmUnmarshaller(new byte[] {0, 5, 1, 2}, "test");
    Malformed.refused(() -> in.tpm2b(64, "field"));
    Malformed.refused(() -> new TpmUnmarshaller(new byte[] {0, 2, 1, 2}, "test").tpm2b(1, "field"));
    TpmUnmarshaller ok = new TpmUnmarshaller(new byte[] {0, 1, 9}, "test");
    assertThat(ok.tpm2b(1, "field")).containsExactly(9);
    ok.finish();
    Malformed.refused(() -> new TpmUnmarshaller(new byte[] {1}, "test").finish());
    Malformed.refused(() -> new TpmUnmarshaller(new byte[] {1, 2, 3}, "test").u32());
  }

  @Test
  void activateCredentialHasTwoHandlesAndThePolicySessionAfterTheHmacSession() throws KeytrustException {
    byte[] blob = new TpmMarshaller().tpm2b(new byte[] {0, 1, 7, 8}).toByteArray();
    byte[] secret = new TpmMarshaller().tpm2b(new byte[] {5, 6}).toByteArray();
    SessionCommand c = TpmCommands.activateCredential(0x80000001, new byte[] {1}, 0x80000002, new byte[] {2},
        0x03000000, blob, secret);
    assertThat(c.code()).isEqualTo(0x147);
    assertThat(c.handles()).containsExactly(0x80000001, 0x80000002);
    assertThat(c.moreSessions()).containsExactly(0x03000000);
    assertThat(HEX.formatHex(c.parameters())).isEqualTo("0004" + "00010708" + "0002" + "0506");
    // the inputs must be whole TPM2Bs
    Malformed.refused(() -> TpmCommands.activateCredential(1, new byte[0], 2, new byte[0], 0x03000000,
        Arrays.copyOf(blob, blob.length - 1), secret));
    Malformed.refused(() -> TpmCommands.activateCredential(1, new byte[0], 2, new byte[0], 0x03000000,
        blob, Arrays.copyOf(secret, secret.length + 1)));

    TpmsAuthCommand hmac = new TpmsAuthCommand(0x02000000, new byte[] {1}, 0x41, new byte[] {9});
    TpmsAuthCommand policy = new TpmsAuthCommand(0x03000000, new byte[] {2}, 0x01, new byte[0]);
    byte[] cmd = CommandBuffer.marshal(0x147, new int[] {0x80000001, 0x80000002}, hmac,
        new TpmsAuthCommand[] {policy}, new byte[] {(byte) 0xAA});
    assertThat(HEX.formatHex(cmd)).isEqualTo(
        "8002" + "0000002c" + "00000147" + "80000001" + "80000002"
            + "00000015" + "02000000" + "000101" + "41" + "000109" + "03000000" + "000102" + "01" + "0000"
            + "aa");
  }

  @Test
  void furtherAuthorizationsAreThePasswordOrAPolicySessionAndTheirAnswersAreChecked() throws KeytrustException {
    assertThatThrownBy(() -> new SessionCommand("x", 1, new int[] {1, 2},
        new byte[][] {{}, {}}, new byte[0], 0, new int[] {0x02000001})).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SessionCommand("x", 1, new int[] {1},
        new byte[][] {{}}, new byte[0], 0, new int[] {0x03000000})).isInstanceOf(IllegalArgumentException.class);
    byte[] params = {0, 1, 7};
    TpmsAuthResponse policyAnswer = new TpmsAuthResponse(new byte[32], 0x01, new byte[0]);
    TpmsAuthResponse passwordAnswer = new TpmsAuthResponse(new byte[0], 0x01, new byte[0]);
    int[] policy = {0x03000000};
    int[] password = {TpmConstants.TPM_RS_PW};
    assertThat(ResponseBuffer.parse(withAnswer(params, policyAnswer), "test", 0, true, policy).parameters())
        .containsExactly(params);
    assertThat(ResponseBuffer.parse(withAnswer(params, passwordAnswer), "test", 0, true, password).parameters())
        .containsExactly(params);
    // a policy answer with an HMAC or without a nonce, a password answer with a nonce, a missing answer
    Malformed.refused(() -> ResponseBuffer.parse(withAnswer(params, new TpmsAuthResponse(new byte[32], 1,
        new byte[32])), "test", 0, true, policy));
    Malformed.refused(() -> ResponseBuffer.parse(withAnswer(params, passwordAnswer), "test", 0, true, policy));
    Malformed.refused(() -> ResponseBuffer.parse(withAnswer(params, policyAnswer), "test", 0, true, password));
    Malformed.refused(() -> ResponseBuffer.parse(response(new int[0], params, AUTH), "test", 0, true, policy));
  }

  @Test
  void activateCredentialResponseIsOneDigest() throws KeytrustException {
    byte[] ok = new TpmMarshaller().tpm2b(new byte[32]).toByteArray();
    assertThat(TpmCommands.parseActivateCredential(ok)).hasSize(32);
    Malformed.refused(() -> TpmCommands.parseActivateCredential(Arrays.copyOf(ok, ok.length + 1)));
    Malformed.refused(() -> TpmCommands.parseActivateCredential(new TpmMarshaller().tpm2b(new byte[65]).toByteArray()));
  }

  /** {@link #response} with a second session's answer after the first's. */
  static byte[] withAnswer(byte[] parameters, TpmsAuthResponse second) {
    TpmMarshaller m = new TpmMarshaller();
    m.u16(0x8002).u32(0).u32(0).u32(parameters.length).bytes(parameters);
    AUTH.marshal(m);
    second.marshal(m);
    return withSize(m.toByteArray());
  }
}
