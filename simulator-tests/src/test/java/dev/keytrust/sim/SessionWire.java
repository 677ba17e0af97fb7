package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.session.CommandChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Raw-byte checks of what crossed the wire, and of what the TPM still holds, for the session tests. */
final class SessionWire {
  static final int TPM_CC_CREATE = 0x153;
  static final int TPM_CC_LOAD = 0x157;
  static final int TPM_CC_SIGN = 0x15D;
  static final int TPM_CC_UNSEAL = 0x15E;
  static final int TPM_CC_READ_PUBLIC = 0x173;
  static final int TPM_CC_START_AUTH_SESSION = 0x176;
  static final int TPM_CC_GET_CAPABILITY = 0x17A;
  static final int TPM_RS_PW = 0x40000009;
  /** Response header (10) and parameterSize (4): where a session response's parameters start. */
  static final int PARAMETERS = 14;

  private SessionWire() {}

  /**
   * Fails if any 8-byte run of any secret (or the whole secret, if shorter) occurs anywhere in any
   * command or response.
   */
  static void assertNoSecretOnTheWire(List<RecordingTransport.Exchange> exchanges, Map<String, byte[]> secrets) {
    for (Map.Entry<String, byte[]> s : secrets.entrySet()) {
      byte[] secret = s.getValue();
      int window = Math.min(8, secret.length);
      for (int from = 0; from + window <= secret.length; from++) {
        byte[] needle = Arrays.copyOfRange(secret, from, from + window);
        for (RecordingTransport.Exchange e : exchanges) {
          assertThat(indexOf(e.command(), needle))
              .as("%s (bytes %d..%d) in the command 0x%X", s.getKey(), from, from + window, e.commandCode())
              .isEqualTo(-1);
          assertThat(indexOf(e.response(), needle))
              .as("%s (bytes %d..%d) in the response to 0x%X", s.getKey(), from, from + window, e.commandCode())
              .isEqualTo(-1);
        }
      }
    }
  }

  /** Every command with an authorization area uses an HMAC session (0x02xxxxxx), none a password session. */
  static void assertOnlyHmacSessions(List<RecordingTransport.Exchange> exchanges) {
    for (RecordingTransport.Exchange e : exchanges) {
      if (e.tag() != 0x8002) {
        continue;
      }
      ByteBuffer b = ByteBuffer.wrap(e.command());
      int handles = switch (e.commandCode()) {
        case TPM_CC_CREATE, TPM_CC_LOAD, TPM_CC_SIGN, TPM_CC_UNSEAL -> 1;
        case 0x150 -> 2; // TPM2_ObjectChangeAuth
        default -> throw new AssertionError(String.format("unexpected command 0x%X with sessions", e.commandCode()));
      };
      int session = b.getInt(10 + 4 * handles + 4);
      assertThat(session).as("session of command 0x%X", e.commandCode()).isNotEqualTo(TPM_RS_PW);
      assertThat(session >>> 24).as("session of command 0x%X", e.commandCode()).isEqualTo(0x02);
    }
  }

  static List<Integer> codes(List<RecordingTransport.Exchange> exchanges) {
    return exchanges.stream().map(RecordingTransport.Exchange::commandCode).toList();
  }

  /**
   * The handles of one type the TPM holds (TPM2_GetCapability(TPM_CAP_HANDLES)): 0x80 transient
   * objects, 0x02 loaded HMAC sessions.
   */
  static List<Integer> handles(CommandChannel channel, int first) throws KeytrustException {
    ByteBuffer cmd = ByteBuffer.allocate(22);
    cmd.putShort((short) 0x8001).putInt(22).putInt(TPM_CC_GET_CAPABILITY).putInt(1).putInt(first).putInt(64);
    ByteBuffer r = ByteBuffer.wrap(channel.execute("TPM2_GetCapability", cmd.array()));
    r.position(10);
    r.get(); // moreData
    assertThat(r.getInt()).isEqualTo(1); // TPM_CAP_HANDLES
    int count = r.getInt();
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int h = r.getInt();
      if ((h >>> 24) == (first >>> 24)) {
        out.add(h);
      }
    }
    return out;
  }

  /** Nothing left loaded: no transient object, no session. */
  static void assertNothingLoaded(CommandChannel channel) throws KeytrustException {
    assertThat(handles(channel, 0x80000000)).as("transient objects left loaded").isEmpty();
    assertThat(handles(channel, 0x02000000)).as("sessions left loaded").isEmpty();
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
