package dev.keytrust.tpm.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;

/**
 * The two key derivation functions of TPM 2.0 Part 1, 11.4.10.
 *
 * <ul>
 *   <li><b>KDFa</b> (11.4.10.2), SP 800-108 counter mode with HMAC: {@code K(i) = HMAC(key, [i]32
 *       || Label || 0x00 || ContextU || ContextV || [bits]32)}, i from 1.
 *   <li><b>KDFe</b> (11.4.10.3), the SP 800-56A concatenation KDF: {@code K(i) = H([i]32 || Z ||
 *       Use || 0x00 || PartyUInfo || PartyVInfo)}.
 * </ul>
 *
 * Labels are given without their terminating zero, which both functions add. When {@code bits}
 * is not a multiple of 8 the result has {@code ceil(bits/8)} bytes and the unused high bits of the
 * first byte are zero, as in the TCG reference implementation. Callers zero the results they
 * derive from secrets.
 */
final class Kdf {
  private Kdf() {}

  static byte[] kdfa(TpmHash hash, byte[] key, String label, byte[] contextU, byte[] contextV, int bits) {
    return kdfa(hash.mac(key), label, contextU, contextV, bits);
  }

  /** KDFa with {@code mac} already keyed (reset to its key when this returns). */
  static byte[] kdfa(Mac mac, String label, byte[] contextU, byte[] contextV, int bits) {
    checkBits(bits);
    byte[] out = new byte[(bits + 7) / 8];
    byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
    byte[] bitsBytes = u32(bits);
    byte[] counterBytes = new byte[4];
    byte[] block = null;
    try {
      for (int counter = 1, done = 0; done < out.length; counter++) {
        putU32(counterBytes, counter);
        mac.update(counterBytes);
        mac.update(labelBytes);
        mac.update((byte) 0);
        mac.update(contextU);
        mac.update(contextV);
        mac.update(bitsBytes);
        block = mac.doFinal();
        int n = Math.min(block.length, out.length - done);
        System.arraycopy(block, 0, out, done, n);
        done += n;
        Arrays.fill(block, (byte) 0);
      }
    } finally {
      if (block != null) {
        Arrays.fill(block, (byte) 0);
      }
    }
    maskLeadingBits(out, bits);
    return out;
  }

  static byte[] kdfe(TpmHash hash, byte[] z, String use, byte[] partyUInfo, byte[] partyVInfo, int bits) {
    checkBits(bits);
    MessageDigest md = hash.digest();
    byte[] out = new byte[(bits + 7) / 8];
    byte[] useBytes = use.getBytes(StandardCharsets.US_ASCII);
    byte[] block = null;
    try {
      for (int counter = 1, done = 0; done < out.length; counter++) {
        md.update(u32(counter));
        md.update(z);
        md.update(useBytes);
        md.update((byte) 0);
        md.update(partyUInfo);
        md.update(partyVInfo);
        block = md.digest();
        int n = Math.min(block.length, out.length - done);
        System.arraycopy(block, 0, out, done, n);
        done += n;
        Arrays.fill(block, (byte) 0);
      }
    } finally {
      if (block != null) {
        Arrays.fill(block, (byte) 0);
      }
    }
    maskLeadingBits(out, bits);
    return out;
  }

  private static void checkBits(int bits) {
    if (bits <= 0 || bits > 8 * 0xFFFF) {
      throw new IllegalArgumentException("bits out of range: " + bits);
    }
  }

  private static void maskLeadingBits(byte[] out, int bits) {
    if (bits % 8 != 0) {
      out[0] &= (byte) ((1 << (bits % 8)) - 1);
    }
  }

  private static byte[] u32(int v) {
    byte[] b = new byte[4];
    putU32(b, v);
    return b;
  }

  private static void putU32(byte[] b, int v) {
    b[0] = (byte) (v >>> 24);
    b[1] = (byte) (v >>> 16);
    b[2] = (byte) (v >>> 8);
    b[3] = (byte) v;
  }
}
