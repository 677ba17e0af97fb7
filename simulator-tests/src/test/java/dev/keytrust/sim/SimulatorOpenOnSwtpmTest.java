package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmTransports;
import dev.keytrust.tpm.TpmUri;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What opening a simulator does to a real swtpm: TPM2_Startup only when the TPM needs one (after
 * swtpm's CMD_INIT, its power cycle), and every session an earlier client left in it flushed,
 * whether still loaded or saved with TPM2_ContextSave (swtpm lists saved sessions, and policy
 * sessions, with 0x02 handles, which a listing that stopped at the first handle of another type
 * missed).
 */
class SimulatorOpenOnSwtpmTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  static final int STARTUP = 0x144;
  static final int START_AUTH_SESSION = 0x176;
  static final int CONTEXT_SAVE = 0x162;
  static final int GET_CAPABILITY = 0x17A;
  static final int PT_HR_LOADED = 0x203;
  static final int PT_HR_ACTIVE = 0x205;

  @Test
  void sessionsAnotherClientSavedOrLeftLoadedAreFlushedAtOpen() throws Exception {
    TpmUri uri = TpmUri.parse(SWTPM.swtpm().tpmUri());
    try (TpmSession other = TpmSession.open(uri)) {
      int savedHmac = startSession(other, false);
      int savedPolicy = startSession(other, true);
      int loadedPolicy = startSession(other, true);
      contextSave(other, savedHmac);
      contextSave(other, savedPolicy);
      assertThat(loadedPolicy >>> 24).isEqualTo(0x03);
      assertThat(property(other, PT_HR_ACTIVE)).as("sessions active").isEqualTo(3);
      assertThat(property(other, PT_HR_LOADED)).as("sessions loaded").isEqualTo(1);
    } // the other client goes away without flushing them
    try (TpmSession s = TpmSession.open(uri)) {
      assertThat(property(s, PT_HR_ACTIVE)).as("sessions active after the open").isZero();
      for (int i = 0; i < 4; i++) { // more than the three a swtpm keeps loaded
        contextSave(s, startSession(s, false));
      }
    }
    try (TpmSession s = TpmSession.open(uri)) {
      assertThat(property(s, PT_HR_ACTIVE)).as("a second round of saved sessions").isZero();
    }
  }

  @Test
  void startupGoesOutOnlyWhenTheTpmNeedsOne() throws Exception {
    TpmUri uri = TpmUri.parse(SWTPM.swtpm().tpmUri());
    List<Integer> running = openAndRecordCodes(uri);
    assertThat(running).as("a running simulator").doesNotContain(STARTUP);
    assertThat(running.get(0)).isEqualTo(GET_CAPABILITY);

    swtpmPowerCycle(SWTPM.swtpm());
    List<Integer> afterInit = openAndRecordCodes(uri);
    assertThat(afterInit).as("a simulator that needs TPM2_Startup").containsSubsequence(GET_CAPABILITY, STARTUP,
        GET_CAPABILITY);
    assertThat(afterInit.stream().filter(c -> c == STARTUP).count()).isEqualTo(1);
    assertThat(openAndRecordCodes(uri)).as("started by the open before").doesNotContain(STARTUP);
  }

  /** Opens a session over a recording transport, draws 4 random bytes, and returns the codes sent. */
  private static List<Integer> openAndRecordCodes(TpmUri uri) throws KeytrustException {
    RecordingTransport t = new RecordingTransport(TpmTransports.open(uri, TpmTransports.DEFAULT_IO_TIMEOUT));
    t.start();
    try (TpmSession s = TpmSession.open(t, true)) {
      assertThat(s.getRandom(4)).hasSize(4);
    }
    List<Integer> codes = new ArrayList<>();
    t.stop().forEach(e -> codes.add(e.commandCode()));
    return codes;
  }

  /** swtpm's CMD_INIT on its control channel (port + 1): a power cycle, after which the TPM needs TPM2_Startup. */
  private static void swtpmPowerCycle(Swtpm swtpm) throws Exception {
    try (Socket ctrl = new Socket(Swtpm.LOOPBACK, swtpm.port() + 1)) {
      ctrl.setSoTimeout(10_000);
      DataOutputStream out = new DataOutputStream(ctrl.getOutputStream());
      out.writeInt(0x02); // CMD_INIT
      out.writeInt(0); // no init flags
      out.flush();
      assertThat(new DataInputStream(ctrl.getInputStream()).readInt()).as("CMD_INIT result").isZero();
    }
  }

  /** TPM2_StartAuthSession: unsalted, unbound, SHA-256, no symmetric algorithm; returns the handle. */
  static int startSession(TpmSession s, boolean policy) throws KeytrustException {
    ByteBuffer c = ByteBuffer.allocate(10 + 4 + 4 + 2 + 16 + 2 + 1 + 2 + 2);
    c.putShort((short) 0x8001).putInt(c.capacity()).putInt(START_AUTH_SESSION);
    c.putInt(0x40000007).putInt(0x40000007); // tpmKey, bind: TPM_RH_NULL
    c.putShort((short) 16).put(new byte[16]); // nonceCaller
    c.putShort((short) 0); // encryptedSalt
    c.put((byte) (policy ? 1 : 0)); // TPM_SE_POLICY or TPM_SE_HMAC
    c.putShort((short) 0x0010); // symmetric: TPM_ALG_NULL
    c.putShort((short) 0x000B); // authHash: SHA-256
    return ByteBuffer.wrap(s.execute("TPM2_StartAuthSession", c.array())).getInt(10);
  }

  static void contextSave(TpmSession s, int handle) throws KeytrustException {
    ByteBuffer c = ByteBuffer.allocate(14);
    c.putShort((short) 0x8001).putInt(14).putInt(CONTEXT_SAVE).putInt(handle);
    s.execute("TPM2_ContextSave", c.array());
  }

  /** One TPM property (TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES)). */
  static int property(TpmSession s, int property) throws KeytrustException {
    ByteBuffer c = ByteBuffer.allocate(22);
    c.putShort((short) 0x8001).putInt(22).putInt(GET_CAPABILITY).putInt(6).putInt(property).putInt(1);
    ByteBuffer r = ByteBuffer.wrap(s.execute("TPM2_GetCapability", c.array()));
    r.position(10 + 1 + 4); // header, moreData, capability
    assertThat(r.getInt()).as("properties returned").isEqualTo(1);
    assertThat(r.getInt()).as("the property asked").isEqualTo(property);
    return r.getInt();
  }
}
