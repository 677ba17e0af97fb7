package dev.keytrust.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The strict TPM structure parsers on structures swtpm produced (vectors/), and on every way of
 * breaking them: truncation anywhere, a trailing byte, reserved attribute bits, sizes that do not
 * fit the key, an attestation of another type.
 */
class AttestParsersTest {

  static byte[] vector(String name) throws IOException {
    try (InputStream in = AttestParsersTest.class.getResourceAsStream("vectors/" + name)) {
      if (in == null) {
        throw new IOException("missing test vector " + name);
      }
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa2048", "p256"})
  void userKeyPublicAreaHasKeytrustsAttributesAndSchemeNull(String type) throws Exception {
    byte[] raw = vector("swtpm-" + type + "-user-key.tpmt_public");
    TpmtPublic p = TpmtPublic.parse(raw);
    assertThat(p.rawBytes()).isEqualTo(raw);
    assertThat(p.objectAttributes()).isEqualTo(TpmaObject.USER_KEY);
    assertThat(p.objectAttributes().names())
        .containsExactly("fixedTPM", "fixedParent", "sensitiveDataOrigin", "userWithAuth", "sign");
    assertThat(p.schemeAlg()).isEqualTo(TpmAlgorithms.NULL);
    assertThat(p.nameAlg()).isEqualTo(TpmAlgorithms.SHA256);
    assertThat(p.isRsa()).isEqualTo(type.equals("rsa2048"));
    assertThat(p.publicKey().getAlgorithm()).isEqualTo(p.isRsa() ? "RSA" : "EC");
    CertifyVerifier.checkUserKeyProperties(p);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa2048", "p256"})
  void attestationKeyAndEkPublicAreas(String type) throws Exception {
    TpmtPublic ak = TpmtPublic.parse(vector("swtpm-" + type + "-ak.tpmt_public"));
    assertThat(ak.objectAttributes()).isEqualTo(TpmaObject.ATTESTATION_KEY);
    assertThat(ak.schemeAlg()).isEqualTo(ak.isRsa() ? TpmAlgorithms.RSASSA : TpmAlgorithms.ECDSA);
    assertThat(ak.schemeHashAlg()).isEqualTo(TpmAlgorithms.SHA256);
    TpmtPublic ek = TpmtPublic.parse(vector("swtpm-" + type + "-ek.tpmt_public"));
    assertThat(ek.objectAttributes().names()).containsExactly("fixedTPM", "fixedParent", "sensitiveDataOrigin",
        "adminWithPolicy", "restricted", "decrypt");
    assertThat(ek.authPolicy()).hasSize(32);
    assertThat(ek.symmetricAlg()).isEqualTo(TpmAlgorithms.AES);
    assertThat(ek.symmetricKeyBits()).isEqualTo(128);
    // a restricted decryption key is not a user key
    assertThatThrownBy(() -> CertifyVerifier.checkUserKeyProperties(ek))
        .isInstanceOfSatisfying(AttestationRefusedException.class, e -> assertThat(e.step()).isEqualTo(7));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa2048", "p256"})
  void certifyInfoNamesTheUserKeyAndTheAksSignatureVerifies(String type) throws Exception {
    TpmsAttest a = TpmsAttest.parse(vector("swtpm-" + type + "-certify.tpms_attest"));
    assertThat(a.magic()).isEqualTo(TpmsAttest.TPM_GENERATED_VALUE);
    assertThat(a.type()).isEqualTo(TpmsAttest.TPM_ST_ATTEST_CERTIFY);
    assertThat(a.extraData()).isEqualTo(new byte[32]);
    TpmtPublic key = TpmtPublic.parse(vector("swtpm-" + type + "-user-key.tpmt_public"));
    assertThat(a.certifiedName()).isEqualTo(key.name());
    TpmtSignature s = TpmtSignature.parse(vector("swtpm-" + type + "-certify.tpmt_signature"));
    TpmtPublic ak = TpmtPublic.parse(vector("swtpm-" + type + "-ak.tpmt_public"));
    CertifyVerifier.checkSignature(ak.publicKey(), s, a.rawBytes());
    byte[] tampered = a.rawBytes();
    tampered[tampered.length - 1] ^= 1;
    assertThatThrownBy(() -> CertifyVerifier.checkSignature(ak.publicKey(), s, tampered))
        .isInstanceOfSatisfying(AttestationRefusedException.class, e -> assertThat(e.step()).isEqualTo(3));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "swtpm-rsa2048-user-key.tpmt_public", "swtpm-p256-user-key.tpmt_public", "swtpm-rsa2048-ek.tpmt_public",
    "swtpm-rsa2048-certify.tpms_attest", "swtpm-p256-certify.tpms_attest",
    "swtpm-rsa2048-certify.tpmt_signature", "swtpm-p256-certify.tpmt_signature"
  })
  void everyTruncationAndATrailingByteAreRefusedWithAnOffset(String name) throws Exception {
    byte[] raw = vector(name);
    for (int n = 0; n < raw.length; n++) {
      byte[] cut = Arrays.copyOf(raw, n);
      assertThat(parses(name, cut)).as("%s cut to %d bytes", name, n).isFalse();
    }
    byte[] longer = Arrays.copyOf(raw, raw.length + 1);
    assertThatThrownBy(() -> parse(name, longer))
        .isInstanceOfSatisfying(AttestFormatException.class, e -> {
          assertThat(e.offset()).isEqualTo(raw.length);
          assertThat(e.getMessage()).contains("1 trailing bytes");
        });
  }

  @Test
  void reservedAttributeBitsAreRefusedAtTheAttributesOffset() throws Exception {
    byte[] raw = vector("swtpm-rsa2048-user-key.tpmt_public");
    for (int bit : new int[] {0, 3, 8, 9, 12, 15, 20, 31}) {
      byte[] b = raw.clone();
      int attrs = ((b[4] & 0xFF) << 24 | (b[5] & 0xFF) << 16 | (b[6] & 0xFF) << 8 | (b[7] & 0xFF)) | (1 << bit);
      b[4] = (byte) (attrs >>> 24);
      b[5] = (byte) (attrs >>> 16);
      b[6] = (byte) (attrs >>> 8);
      b[7] = (byte) attrs;
      assertThatThrownBy(() -> TpmtPublic.parse(b))
          .as("reserved bit %d", bit)
          .isInstanceOfSatisfying(AttestFormatException.class, e -> {
            assertThat(e.offset()).isEqualTo(4);
            assertThat(e.getMessage()).contains("reserved bits");
          });
    }
  }

  @Test
  void rsaModulusOfAnotherSizeThanKeyBitsIsRefused() throws Exception {
    byte[] raw = vector("swtpm-rsa2048-user-key.tpmt_public");
    // keyBits is at offset 14 (type 2, nameAlg 2, attributes 4, authPolicy 2, symmetric 2, scheme 2): 2048 -> 3072
    assertThat(raw[14] & 0xFF).isEqualTo(0x08);
    byte[] b = raw.clone();
    b[14] = 0x0C;
    assertThatThrownBy(() -> TpmtPublic.parse(b))
        .isInstanceOfSatisfying(AttestFormatException.class, e -> {
          assertThat(e.offset()).isEqualTo(20);
          assertThat(e.getMessage()).contains("RSA modulus is 256 bytes for a 3072-bit key");
        });
  }

  @Test
  void attestationOfAnotherTypeAndAnUnsafeFlagOutOfRangeAreRefused() throws Exception {
    byte[] raw = vector("swtpm-rsa2048-certify.tpms_attest");
    byte[] quote = raw.clone();
    quote[5] = 0x18; // TPM_ST_ATTEST_QUOTE
    assertThatThrownBy(() -> TpmsAttest.parse(quote))
        .isInstanceOfSatisfying(AttestFormatException.class, e -> assertThat(e.offset()).isEqualTo(4));
    TpmsAttest a = TpmsAttest.parse(raw);
    int safeAt = 6 + 2 + a.qualifiedSigner().length + 2 + a.extraData().length + 8 + 4 + 4;
    byte[] unsafe = raw.clone();
    unsafe[safeAt] = 2;
    assertThatThrownBy(() -> TpmsAttest.parse(unsafe))
        .isInstanceOfSatisfying(AttestFormatException.class, e -> {
          assertThat(e.offset()).isEqualTo(safeAt);
          assertThat(e.getMessage()).contains("clockInfo.safe is 2");
        });
  }

  @Test
  void nameThatIsNeitherAHandleNorADigestIsRefused() throws Exception {
    byte[] raw = vector("swtpm-rsa2048-certify.tpms_attest");
    byte[] b = raw.clone();
    b[8] = 0x00; // qualifiedSigner's nameAlg SHA-256 -> 0x0000: no such hash
    b[9] = 0x00;
    assertThatThrownBy(() -> TpmsAttest.parse(b))
        .isInstanceOfSatisfying(AttestFormatException.class, e -> assertThat(e.offset()).isEqualTo(6));
  }

  @Test
  void theSameChecksTheFuzzerRunsPassOnEveryVector() throws Exception {
    for (String type : new String[] {"rsa2048", "p256"}) {
      for (String s : new String[] {"-user-key.tpmt_public", "-ak.tpmt_public", "-ek.tpmt_public",
          "-certify.tpms_attest", "-certify.tpmt_signature"}) {
        AttestParserChecks.checkAll(vector("swtpm-" + type + s));
      }
    }
  }

  private static boolean parses(String name, byte[] data) {
    try {
      parse(name, data);
      return true;
    } catch (AttestFormatException e) {
      assertThat(e.offset()).isBetween(0, data.length);
      return false;
    }
  }

  private static void parse(String name, byte[] data) throws AttestFormatException {
    if (name.endsWith("tpmt_public")) {
      TpmtPublic.parse(data);
    } else if (name.endsWith("tpms_attest")) {
      TpmsAttest.parse(data);
    } else {
      TpmtSignature.parse(data);
    }
  }
}
