package dev.keytrust.attest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.util.HexFormat;

/**
 * What the unit tests and the fuzz test demand of the attestation parsers for any input: an
 * {@link AttestFormatException} (ATTEST_MALFORMED) whose offset lies inside the input and whose
 * message names it, or a value whose {@code rawBytes()} are exactly the input and whose accessors
 * all work. Anything else (another exception, an AssertionError from here) is a finding.
 */
final class AttestParserChecks {
  private AttestParserChecks() {}

  static void checkAll(byte[] data) {
    checkPublic(data);
    checkAttest(data);
    checkSignature(data);
  }

  static boolean checkPublic(byte[] data) {
    TpmtPublic p;
    try {
      p = TpmtPublic.parse(data);
    } catch (AttestFormatException e) {
      checkError(e, data);
      return false;
    } catch (Throwable t) {
      throw new AssertionError("TpmtPublic.parse threw " + t + " for " + HexFormat.of().formatHex(data), t);
    }
    assertThat(p.rawBytes()).isEqualTo(data);
    assertThat(p.name()).hasSize(2 + TpmAlgorithms.digestSize(p.nameAlg()));
    assertThat(p.objectAttributes().bits() & TpmaObject.RESERVED).isZero();
    p.objectAttributes().names();
    p.toString();
    p.authPolicy();
    p.rsaModulus();
    p.eccX();
    p.eccY();
    try {
      p.publicKey();
    } catch (KeytrustException e) {
      assertThat(e.code()).isEqualTo(CoreErrorCode.ATTEST_MALFORMED);
    }
    return true;
  }

  static boolean checkAttest(byte[] data) {
    TpmsAttest a;
    try {
      a = TpmsAttest.parse(data);
    } catch (AttestFormatException e) {
      checkError(e, data);
      return false;
    } catch (Throwable t) {
      throw new AssertionError("TpmsAttest.parse threw " + t + " for " + HexFormat.of().formatHex(data), t);
    }
    assertThat(a.rawBytes()).isEqualTo(data);
    assertThat(a.type()).isEqualTo(TpmsAttest.TPM_ST_ATTEST_CERTIFY);
    a.certifiedName();
    a.certifiedQualifiedName();
    a.qualifiedSigner();
    a.extraData();
    a.toString();
    return true;
  }

  static boolean checkSignature(byte[] data) {
    TpmtSignature s;
    try {
      s = TpmtSignature.parse(data);
    } catch (AttestFormatException e) {
      checkError(e, data);
      return false;
    } catch (Throwable t) {
      throw new AssertionError("TpmtSignature.parse threw " + t + " for " + HexFormat.of().formatHex(data), t);
    }
    assertThat(s.rawBytes()).isEqualTo(data);
    s.jcaAlgorithm();
    s.jcaSignature();
    s.toString();
    return true;
  }

  private static void checkError(AttestFormatException e, byte[] data) {
    assertThat(e.code()).isEqualTo(CoreErrorCode.ATTEST_MALFORMED);
    assertThat(e.offset()).isBetween(0, data.length);
    assertThat(e.getMessage()).contains("at byte " + e.offset());
  }
}
