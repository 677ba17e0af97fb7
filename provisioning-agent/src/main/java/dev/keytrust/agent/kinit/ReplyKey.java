package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustBugException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.apache.kerby.kerberos.kerb.KrbException;
import org.apache.kerby.kerberos.kerb.crypto.EncTypeHandler;
import org.apache.kerby.kerberos.kerb.crypto.dh.OctetString2Key;

/**
 * The AS reply key of PKINIT Diffie-Hellman (RFC 4556 section 3.2.3.1): octetstring2key(ZZ |
 * n_c | n_k), K-truncate over SHA-1 (Apache Kerby's {@code OctetString2Key}) then the enctype's
 * random-to-key.
 */
final class ReplyKey {
  private ReplyKey() {}

  /**
   * The reply key for {@code etype}; the caller wipes it (and {@code sharedSecret}).
   *
   * @throws IllegalArgumentException for an enctype Kerby does not implement
   */
  static byte[] derive(byte[] sharedSecret, byte[] clientNonce, byte[] serverNonce, int etype) {
    EncTypeHandler handler = Enctypes.handler(etype);
    ByteArrayOutputStream x = new ByteArrayOutputStream();
    x.writeBytes(sharedSecret);
    x.writeBytes(clientNonce);
    x.writeBytes(serverNonce);
    byte[] input = x.toByteArray();
    byte[] random = OctetString2Key.kTruncate(handler.keyInputSize() * 8, input);
    Arrays.fill(input, (byte) 0);
    try {
      // Kerby's AES random-to-key returns its argument itself: copy before wiping
      return handler.random2Key(random).clone();
    } catch (KrbException e) {
      throw new KeytrustBugException("random-to-key failed for enctype " + etype, e);
    } finally {
      Arrays.fill(random, (byte) 0);
    }
  }
}
