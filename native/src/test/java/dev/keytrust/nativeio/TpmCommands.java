package dev.keytrust.nativeio;

import java.nio.ByteBuffer;

/** Marshalled TPM 2.0 commands and response accessors for transport tests (TCG Part 3). */
final class TpmCommands {
  /** TPM2_GetRandom(bytesRequested = 16), no sessions. */
  static final byte[] GET_RANDOM_16 = {
    (byte) 0x80, 0x01, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x01, 0x7B, 0x00, 0x10
  };

  static final int TPM_ST_NO_SESSIONS = 0x8001;
  static final int TPM_CAP_ALGS = 0x0000_0000;
  static final int TPM_CAP_TPM_PROPERTIES = 0x0000_0006;
  static final int TPM_PT_MANUFACTURER = 0x0000_0105;
  static final int TPM_RC_COMMAND_CODE = 0x0000_0143;

  private TpmCommands() {}

  /** TPM2_GetCapability(capability, property, propertyCount), no sessions. */
  static byte[] getCapability(int capability, int property, int count) {
    return ByteBuffer.allocate(22)
        .putShort((short) TPM_ST_NO_SESSIONS)
        .putInt(22)
        .putInt(0x0000_017A)
        .putInt(capability)
        .putInt(property)
        .putInt(count)
        .array();
  }

  /** A well-formed header with a command code no TPM implements. */
  static byte[] unknownCommand() {
    return ByteBuffer.allocate(10).putShort((short) TPM_ST_NO_SESSIONS).putInt(10).putInt(0x7FFF).array();
  }

  static int tag(byte[] response) {
    return ByteBuffer.wrap(response).getShort(0) & 0xFFFF;
  }

  static long size(byte[] response) {
    return Integer.toUnsignedLong(ByteBuffer.wrap(response).getInt(2));
  }

  static int responseCode(byte[] response) {
    return ByteBuffer.wrap(response).getInt(6);
  }

  /** A response header plus {@code body}, with a correct size. */
  static byte[] response(int rc, byte[] body) {
    return ByteBuffer.allocate(10 + body.length)
        .putShort((short) TPM_ST_NO_SESSIONS)
        .putInt(10 + body.length)
        .putInt(rc)
        .put(body)
        .array();
  }
}
