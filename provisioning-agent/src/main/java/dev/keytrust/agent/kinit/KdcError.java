package dev.keytrust.agent.kinit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kerby.kerberos.kerb.KrbCodec;
import org.apache.kerby.kerberos.kerb.type.base.KrbError;
import org.apache.kerby.kerberos.kerb.type.base.KrbMessage;

/**
 * A KRB-ERROR (RFC 4120 section 5.9.1), read with Apache Kerby's type.
 *
 * @param code the error-code
 * @param name its RFC name, e.g. {@code KDC_ERR_CLIENT_NOT_TRUSTED}
 * @param kdcTime the KDC's time (stime, susec)
 * @param text the e-text, if any
 * @param methodData the e-data read as METHOD-DATA (KDC_ERR_PREAUTH_REQUIRED), else empty
 */
record KdcError(int code, String name, Instant kdcTime, Optional<String> text, List<PaEntry> methodData) {
  /** The DER tag byte of KRB-ERROR, [APPLICATION 30]. */
  static final int TAG = 0x7E;

  static final int C_PRINCIPAL_UNKNOWN = 6;
  static final int CLIENT_REVOKED = 18;
  static final int PADATA_TYPE_NOSUPP = 16;
  static final int PREAUTH_FAILED = 24;
  static final int PREAUTH_REQUIRED = 25;
  /** What Samba's KDC answers when it cannot verify the CMS signature (no ECDSA). */
  static final int BAD_INTEGRITY = 31;
  static final int SKEW = 37;
  static final int CLIENT_NOT_TRUSTED = 62;
  static final int INVALID_SIG = 64;
  static final int DH_KEY_PARAMETERS_NOT_ACCEPTED = 65;
  static final int CANT_VERIFY_CERTIFICATE = 70;
  static final int INVALID_CERTIFICATE = 71;
  static final int CLIENT_NAME_MISMATCH = 75;
  static final int INCONSISTENT_KEY_PURPOSE = 77;

  KdcError {
    methodData = List.copyOf(methodData);
  }

  static KdcError parse(byte[] der) throws IOException {
    KrbMessage message;
    try {
      message = KrbCodec.decodeMessage(ByteBuffer.wrap(der));
    } catch (IOException | RuntimeException e) {
      throw new IOException("not a Kerberos message", e);
    }
    if (!(message instanceof KrbError e)) {
      throw new IOException("not a KRB-ERROR");
    }
    List<PaEntry> methodData = List.of();
    byte[] edata = e.getEdata();
    if (edata != null && edata.length > 0) {
      try {
        methodData = PaEntry.readMethodData(edata);
      } catch (IOException notMethodData) {
        methodData = List.of(); // other e-data (KERB-ERROR-DATA, TYPED-DATA): not needed
      }
    }
    Instant stime = e.getStime() == null ? Instant.EPOCH : Instant.ofEpochMilli(e.getStime().getTime())
        .plusNanos(1000L * e.getSusec());
    String text = e.getEtext();
    return new KdcError(e.getErrorCode().getValue(), e.getErrorCode().name(), stime,
        text == null || text.isBlank() ? Optional.empty() : Optional.of(text.strip()), methodData);
  }

  /** {@code NAME (code)[: text]}, for messages. */
  String describe() {
    return name + " (" + code + ")" + text.map(t -> ": " + t).orElse("");
  }
}
