package dev.keytrust.internal;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;

/**
 * An ECDSA signature as JCA verifies it: the TPM returns r and s as two unsigned big-endian
 * numbers, JCA's {@code SHA256withECDSA} and {@code NONEwithECDSA} take DER. The one encoder for the
 * TPM layer and its session layer, instead of a copy in each.
 */
public final class EcdsaDer {
  private EcdsaDer() {}

  /**
   * DER {@code SEQUENCE { INTEGER r, INTEGER s }} of the unsigned big-endian {@code r} and {@code s}.
   * Both must be below 2^528 (P-521's order fits), so that the short and one-byte long forms of the
   * lengths suffice.
   */
  public static byte[] fromRs(byte[] r, byte[] s) {
    byte[] ri = new BigInteger(1, r).toByteArray();
    byte[] si = new BigInteger(1, s).toByteArray();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(0x02);
    body.write(ri.length);
    body.write(ri, 0, ri.length);
    body.write(0x02);
    body.write(si.length);
    body.write(si, 0, si.length);
    byte[] b = body.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    if (b.length > 127) {
      out.write(0x81);
    }
    out.write(b.length);
    out.write(b, 0, b.length);
    return out.toByteArray();
  }
}
