package dev.keytrust.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The retry and error branches of the transport adapter, driven by a scripted transport (the
 * simulator cannot be made to answer TPM_RC_RETRY on demand). Behaviour against a real TPM stack
 * is covered in simulator-tests.
 */
class TransportDeviceTest {
  static byte[] response(int rc, byte... body) {
    ByteBuffer b = ByteBuffer.allocate(10 + body.length);
    b.putShort((short) 0x8001).putInt(10 + body.length).putInt(rc).put(body);
    return b.array();
  }

  static final class Scripted implements TpmTransport {
    final Deque<Object> answers = new ArrayDeque<>();
    int sent;

    @Override
    public byte[] transmit(byte[] command) throws KeytrustException {
      sent++;
      Object a = answers.size() > 1 ? answers.poll() : answers.peek();
      if (a instanceof KeytrustException e) {
        throw e;
      }
      return (byte[]) a;
    }

    @Override
    public String describe() {
      return "scripted";
    }

    @Override
    public void close() {}
  }

  private final List<Long> sleeps = new ArrayList<>();

  private TransportDevice device(Scripted t) {
    return new TransportDevice(t, 5, 10, sleeps::add);
  }

  @Test
  void retryIsBoundedWithBackoffAndEndsInBusy() {
    Scripted t = new Scripted();
    t.answers.add(response(TransportDevice.RC_RETRY));
    TransportDevice d = device(t);
    d.dispatchCommand(new byte[] {1, 2, 3});
    assertThatThrownBy(d::getResponse)
        .isInstanceOfSatisfying(TransportDevice.TransportFailure.class,
            f -> assertThat(f.error().code()).isEqualTo(CoreErrorCode.TPM_BUSY))
        .hasMessageContaining("TPM_RC_RETRY");
    assertThat(t.sent).isEqualTo(6);
    assertThat(sleeps).containsExactly(10L, 20L, 40L, 80L, 160L);
  }

  @Test
  void yieldedAndTestingAreRetriedUntilSuccess() {
    Scripted t = new Scripted();
    t.answers.add(response(TransportDevice.RC_YIELDED));
    t.answers.add(response(TransportDevice.RC_TESTING));
    t.answers.add(response(0, (byte) 7));
    TransportDevice d = device(t);
    byte[] cmd = {9, 9, 9};
    d.dispatchCommand(cmd);
    assertThat(d.getResponse()).isEqualTo(response(0, (byte) 7));
    assertThat(t.sent).isEqualTo(3);
    assertThat(cmd).containsOnly((byte) 0); // the command (it can hold an auth value) is wiped
  }

  @Test
  void layeredErrorsAreNotMistakenForSuccess() {
    Scripted t = new Scripted();
    t.answers.add(response(0x80280400));
    TransportDevice d = device(t);
    d.dispatchCommand(new byte[] {1});
    assertThatThrownBy(d::getResponse)
        .isInstanceOfSatisfying(TransportDevice.TransportFailure.class,
            f -> assertThat(f.error().code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
        .hasMessageContaining("0x80280400");
  }

  @Test
  void malformedResponseIsATransportError() {
    Scripted t = new Scripted();
    t.answers.add(new byte[] {(byte) 0x80, 1, 0, 0, 0, 99, 0, 0, 0, 0});
    TransportDevice d = device(t);
    d.dispatchCommand(new byte[] {1});
    assertThatThrownBy(d::getResponse)
        .isInstanceOfSatisfying(TransportDevice.TransportFailure.class,
            f -> assertThat(f.error().code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT));
  }

  @Test
  void sessionTurnsEndlessRetryIntoBusyInsteadOfLoopingForever() throws Exception {
    Scripted t = new Scripted();
    t.answers.add(response(TransportDevice.RC_RETRY));
    try (TpmSession s = TpmSession.open(t, false, sleeps::add)) {
      assertThatThrownBy(() -> s.getRandom(8))
          .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_BUSY));
    }
    assertThat(t.sent).isEqualTo(TpmSession.MAX_RETRIES + 1);
    assertThat(sleeps).hasSize(TpmSession.MAX_RETRIES).last().isEqualTo(1000L);
  }

  @Test
  void responseCodesBecomeTheErrorsACallerActsOn() throws Exception {
    Scripted t = new Scripted();
    // TPM_PT_PERMANENT .. TPM_PT_LOCKOUT_RECOVERY, as GetCapability returns them: counter 2 of 5, interval 600 s
    t.answers.add(daProperties(0, 2, 5, 600, 86400));
    try (TpmSession s = TpmSession.open(t, false, sleeps::add)) {
      assertThat(s.responseError("TPM2_Create", 0x2A6)) // TPM_RC_CURVE, parameter 2
          .satisfies(e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM))
          .hasMessageContaining("choose another algorithm this TPM supports").hasMessageNotContaining("--alg");
      assertThat(s.responseError("TPM2_Create", 0x2C7).code()).isEqualTo(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM);
      assertThat(s.responseError("TPM2_Load", 0x9F)).satisfies(
          e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_KEY_NOT_LOADABLE));
      assertThat(s.responseError("TPM2_Load", 0x902).code()).isEqualTo(CoreErrorCode.TPM_OBJECT_MEMORY);
      assertThat(s.responseError("TPM2_Sign", 0x9A2)).isInstanceOf(dev.keytrust.error.WrongPinException.class);
      assertThat(s.responseError("TPM2_Sign", 0x101))
          .isInstanceOfSatisfying(dev.keytrust.error.TpmCommandException.class, e -> {
            assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_COMMAND_FAILED);
            assertThat(e.responseCode()).isEqualTo(0x101);
            assertThat(e.command()).isEqualTo("TPM2_Sign");
          })
          .hasMessageContaining("TPM_RC_FAILURE");
      assertThat(s.responseError("TPM2_Sign", 0x98E))
          .isInstanceOfSatisfying(dev.keytrust.error.WrongPinException.class,
              e -> assertThat(e.triesLeft()).hasValue(3))
          .hasMessageContaining("3 of 5 tries left");
      // locked with fewer failures than the maximum: only a reset helps, so no retry time is promised
      assertThat(s.responseError("TPM2_Sign", 0x921))
          .isInstanceOfSatisfying(dev.keytrust.error.LockedOutException.class,
              e -> assertThat(e.retryAfter()).isZero())
          .hasMessageContaining("Waiting does not end this lockout");
      // auth failures of other commands are the owner's or lockout's, never a wrong PIN
      assertThat(s.responseError("TPM2_CreatePrimary", 0x9A2))
          .satisfies(e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_HIERARCHY_AUTH))
          .hasMessageContaining("owner")
          .hasMessageContaining("not about a PIN");
      assertThat(s.responseError("TPM2_DictionaryAttackLockReset", 0x98E))
          .satisfies(e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_HIERARCHY_AUTH))
          .hasMessageContaining("lockout authorization");
      // the sealed PIN history and a key's ObjectChangeAuth prove the PIN like TPM2_Sign does
      assertThat(s.responseError("TPM2_Unseal", 0x98E))
          .isInstanceOfSatisfying(dev.keytrust.error.WrongPinException.class,
              e -> assertThat(e.triesLeft()).hasValue(3));
      assertThat(s.responseError("TPM2_ObjectChangeAuth", 0x98E)).isInstanceOf(dev.keytrust.error.WrongPinException.class);
      // a failing HMAC session on the SRK (empty auth, noDA) is a changed session, never a PIN or the owner's auth
      for (String command : new String[] {"TPM2_Load", "TPM2_Create"}) {
        assertThat(s.responseError(command, 0x98E))
            .isNotInstanceOf(dev.keytrust.error.WrongPinException.class)
            .satisfies(e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_RESPONSE_NOT_AUTHENTIC))
            .hasMessageContaining("not a wrong PIN");
        assertThat(s.responseError(command, 0x9A2).code()).isEqualTo(CoreErrorCode.TPM_RESPONSE_NOT_AUTHENTIC);
      }
    }
    Scripted locked = new Scripted();
    locked.answers.add(daProperties(1 << 9, 5, 5, 600, 86400)); // in lockout at 5 of 5
    try (TpmSession s = TpmSession.open(locked, false, sleeps::add)) {
      assertThat(s.responseError("TPM2_Sign", 0x921))
          .isInstanceOfSatisfying(dev.keytrust.error.LockedOutException.class,
              e -> assertThat(e.retryAfter()).isEqualTo(java.time.Duration.ofMinutes(10)))
          .hasMessageContaining("retry in 10 min");
      assertThat(s.responseError("TPM2_Sign", 0x98E))
          .isInstanceOfSatisfying(dev.keytrust.error.LockedOutException.class,
              e -> assertThat(e.retryAfter()).isEqualTo(java.time.Duration.ofMinutes(10)));
    }
    Scripted off = new Scripted();
    off.answers.add(daProperties(0, 0, 3, 0, 0)); // protection off
    try (TpmSession s = TpmSession.open(off, false, sleeps::add)) {
      assertThat(s.responseError("TPM2_Sign", 0x98E))
          .isInstanceOfSatisfying(dev.keytrust.error.WrongPinException.class,
              e -> assertThat(e.triesLeft()).isEmpty())
          .hasMessageContaining("not counted");
    }
  }

  /** A GetCapability(TPM_PROPERTIES) response with PERMANENT and the four dictionary-attack values. */
  static byte[] daProperties(int permanent, int counter, int max, int interval, int recovery) {
    int[][] props = {{0x200, permanent}, {0x20E, counter}, {0x20F, max}, {0x210, interval}, {0x211, recovery}};
    ByteBuffer b = ByteBuffer.allocate(1 + 4 + 4 + props.length * 8);
    b.put((byte) 0).putInt(6).putInt(props.length); // moreData, TPM_CAP_TPM_PROPERTIES, count
    for (int[] p : props) {
      b.putInt(p[0]).putInt(p[1]);
    }
    return response(0, b.array());
  }

  @Test
  void responseCodesAreNamedWithTheirHandleSessionOrParameter() {
    assertThat(TpmResponseCodes.describe(0x98E)).isEqualTo("TPM_RC_AUTH_FAIL (0x98E, session 1)");
    assertThat(TpmResponseCodes.describe(0x18B)).isEqualTo("TPM_RC_HANDLE (0x18B, handle 1)");
    assertThat(TpmResponseCodes.describe(0x2C4)).isEqualTo("TPM_RC_VALUE (0x2C4, parameter 2)");
    assertThat(TpmResponseCodes.describe(0x921)).isEqualTo("TPM_RC_LOCKOUT (0x921)");
    assertThat(TpmResponseCodes.describe(0x100)).isEqualTo("TPM_RC_INITIALIZE (0x100)");
    assertThat(TpmResponseCodes.base(0x9A2)).isEqualTo(TpmResponseCodes.BAD_AUTH);
  }

  @Test
  void ecdsaSignatureIsDer() throws Exception {
    byte[] r = new byte[32];
    byte[] s = new byte[32];
    r[0] = (byte) 0x80; // needs a sign byte
    s[31] = 1; // small value
    byte[] der = TpmObjects.derEcdsa(r, s);
    assertThat(der[0]).isEqualTo((byte) 0x30);
    assertThat(der[1]).isEqualTo((byte) (der.length - 2));
    assertThat(der[2]).isEqualTo((byte) 0x02);
    assertThat(der[3]).isEqualTo((byte) 33);
    assertThat(der[4]).isZero();
    assertThat(der[der.length - 3]).isEqualTo((byte) 0x02);
    assertThat(der[der.length - 2]).isEqualTo((byte) 1);
    assertThat(der[der.length - 1]).isEqualTo((byte) 1);
  }
}
