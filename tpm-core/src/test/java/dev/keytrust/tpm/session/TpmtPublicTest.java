package dev.keytrust.tpm.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmTemplates;
import dev.keytrust.tpm.TpmObjects;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tss.tpm.TPM2B_PUBLIC_KEY_RSA;
import tss.tpm.TPMA_OBJECT;
import tss.tpm.TPMS_ECC_PARMS;
import tss.tpm.TPMS_ECC_POINT;
import tss.tpm.TPMS_NULL_ASYM_SCHEME;
import tss.tpm.TPMS_NULL_KDF_SCHEME;
import tss.tpm.TPMS_RSA_PARMS;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMT_SYM_DEF_OBJECT;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_ECC_CURVE;

/** The strict TPMT_PUBLIC reader against TSS.Java's marshalling, and the SRK shape check. */
class TpmtPublicTest {
  static final HexFormat HEX = HexFormat.of();

  /** The TCG SRK templates (as {@code TpmTemplates.srkTemplate}) with a non-zero unique, marshalled by TSS.Java. */
  static byte[] srk(TpmKeyType alg, int attributes) {
    TPMA_OBJECT attrs = TPMA_OBJECT.fromInt(attributes);
    TPMT_SYM_DEF_OBJECT aes = new TPMT_SYM_DEF_OBJECT(TPM_ALG_ID.AES, 128, TPM_ALG_ID.CFB);
    byte[] unique = new byte[256];
    Arrays.fill(unique, (byte) 0x5A);
    if (alg == TpmKeyType.RSA_2048) {
      return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
          new TPMS_RSA_PARMS(aes, new TPMS_NULL_ASYM_SCHEME(), 2048, 0), new TPM2B_PUBLIC_KEY_RSA(unique)).toBytes();
    }
    return new TPMT_PUBLIC(TPM_ALG_ID.SHA256, attrs, new byte[0],
        new TPMS_ECC_PARMS(aes, new TPMS_NULL_ASYM_SCHEME(), TPM_ECC_CURVE.NIST_P256, new TPMS_NULL_KDF_SCHEME()),
        new TPMS_ECC_POINT(Arrays.copyOf(unique, 32), Arrays.copyOf(unique, 32))).toBytes();
  }

  /** fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | noDA | restricted | decrypt. */
  static final int SRK_ATTRIBUTES = 0x00030472;

  @ParameterizedTest
  @EnumSource(TpmKeyType.class)
  void srkTemplatesParseAndPassTheShapeCheck(TpmKeyType alg) throws KeytrustException {
    byte[] bytes = srk(alg, SRK_ATTRIBUTES);
    TpmtPublic p = TpmtPublic.parse(bytes, "srk");
    assertThat(p.encoded()).isEqualTo(bytes);
    assertThat(p.name()).isEqualTo(TpmObjects.name(bytes));
    assertThat(p.notAStorageRootKey()).isEmpty();
    assertThat(p.objectAttributes()).isEqualTo(SRK_ATTRIBUTES);
    // everything but unique: what a template comparison looks at
    int uniqueSize = alg == TpmKeyType.RSA_2048 ? 2 + 256 : 2 + 32 + 2 + 32;
    assertThat(p.withoutUnique()).isEqualTo(Arrays.copyOf(bytes, bytes.length - uniqueSize));
  }

  @ParameterizedTest
  @EnumSource(TpmKeyType.class)
  void aSigningKeyOrAMovableKeyIsNotAnSrk(TpmKeyType alg) throws KeytrustException {
    assertThat(TpmtPublic.parse(TpmTemplates.userKey(alg), "key").notAStorageRootKey()).isPresent();
    // not fixedTPM
    assertThat(TpmtPublic.parse(srk(alg, SRK_ATTRIBUTES & ~0x2), "srk").notAStorageRootKey())
        .hasValueSatisfying(why -> assertThat(why).contains("attributes"));
    // not restricted
    assertThat(TpmtPublic.parse(srk(alg, SRK_ATTRIBUTES & ~0x10000), "srk").notAStorageRootKey()).isPresent();
  }

  @Test
  void templatesParseAsWhatTheySay() throws KeytrustException {
    TpmtPublic rsa = TpmtPublic.parse(TpmTemplates.userKey(TpmKeyType.RSA_2048), "rsa");
    assertThat(rsa.type()).isEqualTo(0x0001);
    assertThat(rsa.scheme()).isEqualTo(0x0010); // TPM_ALG_NULL: the scheme is given per TPM2_Sign, as Windows Hello's keys
    assertThat(rsa.objectAttributes()).isEqualTo(0x00040072); // fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|sign
    TpmtPublic ecc = TpmtPublic.parse(TpmTemplates.userKey(TpmKeyType.ECC_P256), "ecc");
    assertThat(ecc.scheme()).isEqualTo(0x0010);
    TpmtPublic sealed = TpmtPublic.parse(TpmTemplates.sealedData(), "sealed");
    assertThat(sealed.type()).isEqualTo(0x0008);
    assertThat(sealed.objectAttributes()).isEqualTo(0x00000052); // fixedTPM|fixedParent|userWithAuth, no noDA
    assertThat(HEX.formatHex(TpmTemplates.sealedData())).isEqualTo("0008000b00000052000000100000");
  }

  @Test
  void truncatedOrExtendedPublicAreasAreRefused() {
    byte[] bytes = srk(TpmKeyType.ECC_P256, SRK_ATTRIBUTES);
    for (int len : new int[] {0, 1, 8, 10, bytes.length - 1}) {
      Malformed.refused(() -> TpmtPublic.parse(Arrays.copyOf(bytes, len), "cut"));
    }
    Malformed.refused(() -> TpmtPublic.parse(Arrays.copyOf(bytes, bytes.length + 1), "long"));
    byte[] unknownNameAlg = bytes.clone();
    unknownNameAlg[3] = 0x77;
    Malformed.refused(() -> TpmtPublic.parse(unknownNameAlg, "nameAlg"));
    byte[] symcipher = bytes.clone();
    symcipher[1] = 0x25;
    Malformed.refused(() -> TpmtPublic.parse(symcipher, "type"));
  }

  @Test
  void anRsaModulusThatDisagreesWithKeyBitsIsNoKey() throws KeytrustException {
    byte[] pub = new TpmMarshaller().u16(1).u16(0x000B).u32(SRK_ATTRIBUTES).u16(0)
        .u16(0x0006).u16(128).u16(0x0043).u16(0x0010).u16(2048).u32(0).tpm2b(new byte[128]).toByteArray();
    TpmtPublic p = TpmtPublic.parse(pub, "short");
    assertThat(p.notAStorageRootKey()).isPresent();
    assertThatThrownBy(p::jcaPublicKey).isInstanceOfSatisfying(KeytrustException.class,
        e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT));
  }
}
