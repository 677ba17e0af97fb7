package dev.keytrust.credential;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * GUIDs in Microsoft byte order (Data1 uint32 LE, Data2 and Data3 uint16 LE, Data4 as is), as
 * {@code Guid.ToByteArray()} writes them.
 */
final class DeviceIds {
  private DeviceIds() {}

  static UUID fromMicrosoftBytes(byte[] b) {
    byte[] be = swap(b);
    ByteBuffer buf = ByteBuffer.wrap(be);
    return new UUID(buf.getLong(), buf.getLong());
  }

  static byte[] toMicrosoftBytes(UUID id) {
    byte[] be = ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
    return swap(be);
  }

  /** Reverses bytes 0-3, 4-5 and 6-7; the same operation converts in both directions. */
  private static byte[] swap(byte[] b) {
    byte[] out = b.clone();
    out[0] = b[3];
    out[1] = b[2];
    out[2] = b[1];
    out[3] = b[0];
    out[4] = b[5];
    out[5] = b[4];
    out[6] = b[7];
    out[7] = b[6];
    return out;
  }
}
