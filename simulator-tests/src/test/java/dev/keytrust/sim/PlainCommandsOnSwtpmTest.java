package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.TpmCommandException;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.tpm.DictionaryAttackState;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmTransports;
import dev.keytrust.tpm.TpmUri;
import dev.keytrust.tpm.session.CommandChannel;
import dev.keytrust.tpm.session.PlainCommands;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tss.Tpm;
import tss.TpmDevice;
import tss.tpm.GetCapabilityResponse;
import tss.tpm.ReadPublicResponse;
import tss.tpm.TPML_ALG_PROPERTY;
import tss.tpm.TPML_ECC_CURVE;
import tss.tpm.TPML_HANDLE;
import tss.tpm.TPML_TAGGED_TPM_PROPERTY;
import tss.tpm.TPMS_PCR_SELECTION;
import tss.tpm.TPMS_SENSITIVE_CREATE;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPM_CAP;
import tss.tpm.TPM_HANDLE;
import tss.tpm.TPM_RH;
import tss.tpm.TPM_SU;

/**
 * keytrust's own marshalling of the commands {@link TpmSession} sends without a session ({@link
 * PlainCommands}), against TSS.Java's on the same swtpm: the same command bytes for the same call,
 * the same parsed results, and every response byte flipped, a byte cut off or one appended gives a
 * typed {@link KeytrustException} with a one-line message ({@code TPM_TRANSPORT} where the bytes
 * are no valid response), never another exception.
 */
class PlainCommandsOnSwtpmTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  static final int CC_FLUSH_CONTEXT = 0x165;
  static final int CC_READ_PUBLIC = 0x173;
  static final int CC_GET_CAPABILITY = 0x17A;
  static final int CC_GET_RANDOM = 0x17B;

  RecordingTransport wire;
  TpmSession session;
  CommandChannel channel;
  Tpm tss;

  @BeforeEach
  void open() throws KeytrustException {
    wire = new RecordingTransport(
        TpmTransports.open(TpmUri.parse(SWTPM.swtpm().tpmUri()), TpmTransports.DEFAULT_IO_TIMEOUT));
    wire.start();
    session = TpmSession.open(wire, true);
    channel = session::execute;
    tss = new Tpm();
    tss._setDevice(new WireDevice(wire));
    session.storageRootKey(TpmKeyType.ECC_P256);
    session.storageRootKey(TpmKeyType.RSA_2048);
  }

  @AfterEach
  void close() {
    session.close();
  }

  // ---- the same command bytes as TSS.Java's ---------------------------------------------------

  @Test
  void startupIsTssJavasStartup() throws Exception {
    // the swtpm has had its TPM2_Startup: both are answered TPM_RC_INITIALIZE, which keytrust raises
    byte[] keytrusts = sent(() -> assertThatThrownBy(() -> PlainCommands.startup(channel, PlainCommands.TPM_SU_CLEAR))
        .isInstanceOfSatisfying(TpmCommandException.class, e -> assertThat(e.responseCode()).isEqualTo(0x100)));
    assertThat(keytrusts).isEqualTo(sent(() -> tss._allowErrors().Startup(TPM_SU.CLEAR)));
  }

  @Test
  void commandBytesAreTssJavas() throws Exception {
    assertSameBytes(() -> PlainCommands.getRandom(channel, 32), () -> tss.GetRandom(32));
    assertSameBytes(() -> PlainCommands.getRandom(channel, 7), () -> tss.GetRandom(7));
    assertSameBytes(() -> PlainCommands.handles(channel, 0x81000000, 32),
        () -> tss.GetCapability(TPM_CAP.HANDLES, 0x81000000, 32));
    assertSameBytes(() -> PlainCommands.properties(channel, 0x200, 18),
        () -> tss.GetCapability(TPM_CAP.TPM_PROPERTIES, 0x200, 18));
    assertSameBytes(() -> PlainCommands.algorithms(channel, 0, 64), () -> tss.GetCapability(TPM_CAP.ALGS, 0, 64));
    assertSameBytes(() -> PlainCommands.eccCurves(channel, 0, 64),
        () -> tss.GetCapability(TPM_CAP.ECC_CURVES, 0, 64));
    assertSameBytes(() -> PlainCommands.readPublic(channel, TpmSession.SRK_ECC_HANDLE),
        () -> tss.ReadPublic(TPM_HANDLE.from(TpmSession.SRK_ECC_HANDLE)));
  }

  @Test
  void flushContextIsTssJavasAndFlushes() throws Exception {
    // an object to flush: the ECC SRK's template again, created through TSS.Java
    int h1 = tss.CreatePrimary(TPM_HANDLE.from(TPM_RH.OWNER), new TPMS_SENSITIVE_CREATE(new byte[0], new byte[0]),
        TPMT_PUBLIC.fromBytes(PlainCommands.readPublic(channel, TpmSession.SRK_ECC_HANDLE).outPublic()),
        new byte[0], new TPMS_PCR_SELECTION[0]).handle.handle;
    assertThat(PlainCommands.handles(channel, 0x80000000, 32).handles()).containsExactly(h1);
    wire.start();
    PlainCommands.flushContext(channel, h1);
    byte[] keytrusts = wire.stop().get(0).command();
    assertThat(PlainCommands.handles(channel, 0x80000000, 32).handles()).isEmpty();
    // TSS.Java's flush of the same handle (now gone: the TPM refuses it, the bytes are what counts)
    assertThat(sent(() -> tss._allowErrors().FlushContext(TPM_HANDLE.from(h1)))).isEqualTo(keytrusts);
    // the same refusal through keytrust: the TPM's code, typed as for every other command
    assertThatThrownBy(() -> PlainCommands.flushContext(channel, h1))
        .isInstanceOfSatisfying(TpmCommandException.class, e -> assertThat(e.responseCode() & 0xBF).isEqualTo(0x8B));
  }

  // ---- the same results as TSS.Java's -------------------------------------------------------

  @Test
  void handlesAreTssJavas() throws Exception {
    PlainCommands.Handles ours = PlainCommands.handles(channel, 0x81000000, 32);
    GetCapabilityResponse theirs = tss.GetCapability(TPM_CAP.HANDLES, 0x81000000, 32);
    assertThat(ours.handles()).containsExactly(
        Arrays.stream(((TPML_HANDLE) theirs.capabilityData).handle).mapToInt(h -> h.handle).toArray());
    assertThat(ours.handles()).contains(TpmSession.SRK_ECC_HANDLE, TpmSession.SRK_RSA_HANDLE);
    assertThat(ours.moreData()).isEqualTo(theirs.moreData != 0);
    // a page that ends before the list does: moreData
    PlainCommands.Handles first = PlainCommands.handles(channel, 0x81000000, 1);
    GetCapabilityResponse firstTss = tss.GetCapability(TPM_CAP.HANDLES, 0x81000000, 1);
    assertThat(first.handles()).containsExactly(((TPML_HANDLE) firstTss.capabilityData).handle[0].handle);
    assertThat(first.moreData()).isTrue();
    assertThat(firstTss.moreData).isEqualTo((byte) 1);
  }

  @Test
  void propertiesAreTssJavas() throws Exception {
    for (int[] range : new int[][] {{0x100, 0x30}, {0x200, 18}, {0x200, 5}}) {
      PlainCommands.Properties ours = PlainCommands.properties(channel, range[0], range[1]);
      GetCapabilityResponse theirs = tss.GetCapability(TPM_CAP.TPM_PROPERTIES, range[0], range[1]);
      var tagged = ((TPML_TAGGED_TPM_PROPERTY) theirs.capabilityData).tpmProperty;
      assertThat(ours.properties()).containsExactly(Arrays.stream(tagged).mapToInt(p -> p.property.toInt()).toArray());
      assertThat(ours.values()).containsExactly(Arrays.stream(tagged).mapToInt(p -> p.value).toArray());
      assertThat(ours.moreData()).isEqualTo(theirs.moreData != 0);
    }
    DictionaryAttackState da = session.dictionaryAttackState();
    var tagged = ((TPML_TAGGED_TPM_PROPERTY) tss.GetCapability(TPM_CAP.TPM_PROPERTIES, 0x20E, 4).capabilityData)
        .tpmProperty;
    assertThat(da.lockoutCounter()).isEqualTo(tagged[0].value);
    assertThat(da.maxAuthFail()).isEqualTo(tagged[1].value);
    assertThat(da.lockoutInterval().getSeconds()).isEqualTo(Integer.toUnsignedLong(tagged[2].value));
    assertThat(da.lockoutRecovery().getSeconds()).isEqualTo(Integer.toUnsignedLong(tagged[3].value));
  }

  @Test
  void algorithmsAndCurvesAreTssJavas() throws Exception {
    PlainCommands.Ids algs = PlainCommands.algorithms(channel, 0, 64);
    GetCapabilityResponse theirs = tss.GetCapability(TPM_CAP.ALGS, 0, 64);
    assertThat(algs.ids()).containsExactly(
        Arrays.stream(((TPML_ALG_PROPERTY) theirs.capabilityData).algProperties).mapToInt(a -> a.alg.toInt()).toArray());
    assertThat(algs.moreData()).isEqualTo(theirs.moreData != 0);
    PlainCommands.Ids curves = PlainCommands.eccCurves(channel, 0, 64);
    GetCapabilityResponse theirCurves = tss.GetCapability(TPM_CAP.ECC_CURVES, 0, 64);
    assertThat(curves.ids()).containsExactly(
        Arrays.stream(((TPML_ECC_CURVE) theirCurves.capabilityData).eccCurves).mapToInt(c -> c.toInt()).toArray());
    assertThat(session.info().algorithms()).contains("RSA", "ECC", "SHA256");
    assertThat(session.info().eccCurves()).contains("NIST_P256");
  }

  @Test
  void readPublicIsTssJavas() throws Exception {
    for (int handle : new int[] {TpmSession.SRK_ECC_HANDLE, TpmSession.SRK_RSA_HANDLE}) {
      PlainCommands.PublicArea ours = PlainCommands.readPublic(channel, handle);
      ReadPublicResponse theirs = tss.ReadPublic(TPM_HANDLE.from(handle));
      assertThat(ours.outPublic()).isEqualTo(theirs.outPublic.toBytes());
      assertThat(ours.name()).isEqualTo(theirs.name);
    }
    assertThat(session.storageRootKey(TpmKeyType.ECC_P256).name())
        .isEqualTo(tss.ReadPublic(TPM_HANDLE.from(TpmSession.SRK_ECC_HANDLE)).name);
    // a handle with nothing persisted: the TPM's TPM_RC_HANDLE, typed
    assertThatThrownBy(() -> PlainCommands.readPublic(channel, 0x81000077))
        .isInstanceOfSatisfying(TpmCommandException.class, e -> assertThat(e.responseCode() & 0xBF).isEqualTo(0x8B));
  }

  @Test
  void getRandomIsTssJavasParse() throws Exception {
    wire.start();
    byte[] ours = session.getRandom(32);
    byte[] response = wire.stop().get(0).response();
    // TSS.Java reading the very response keytrust read
    Tpm replay = new Tpm();
    replay._setDevice(new CannedDevice(response));
    assertThat(replay.GetRandom(32)).isEqualTo(ours);
    assertThat(session.getRandom(100)).hasSize(100);
  }

  // ---- malformed responses --------------------------------------------------------------------

  @Test
  void everyFlippedResponseByteIsATypedErrorOrAResult() throws Exception {
    List<Call> calls = calls();
    for (Call c : calls) {
      int length = responseLength(c);
      for (int i = 0; i < length; i++) {
        KeytrustException e = tampered(c, RecordingTransport.flipByteAt(i));
        if (e != null) {
          assertOneLine(c, e);
        }
        if (i < 10 || i == 10 && c.code == CC_GET_CAPABILITY) {
          // the header, and GetCapability's moreData: never a result
          assertThat(e).as(c.name + " with byte " + i + " flipped").isNotNull();
        }
      }
    }
  }

  @Test
  void aCutOrExtendedResponseIsATransportError() throws Exception {
    for (Call c : calls()) {
      // one byte less or more, the size field kept: the transport refuses it
      assertTransport(c, tampered(c, r -> Arrays.copyOf(r, r.length - 1)));
      assertTransport(c, tampered(c, r -> Arrays.copyOf(r, r.length + 1)));
      // one byte less or more, the size field matching: the parser refuses it
      assertTransport(c, tampered(c, r -> withSize(Arrays.copyOf(r, r.length - 1))));
      assertTransport(c, tampered(c, r -> withSize(Arrays.copyOf(r, r.length + 1))));
      // just the header
      assertTransport(c, tampered(c, r -> withSize(Arrays.copyOf(r, 10))));
    }
  }

  @Test
  void structuralFieldsChangedAreTransportErrors() throws Exception {
    // GetCapability (the DA properties from TPM_PT_PERMANENT, 0x200): another capability, moreData not YES/NO,
    // more entries than asked for ...
    Call props = new Call("DA properties", CC_GET_CAPABILITY, () -> session.dictionaryAttackState());
    assertTransport(props, tampered(props, r -> set(r, 10, 2)));
    assertTransport(props, tampered(props, r -> set(r, 14, 1)));
    assertTransport(props, tampered(props, r -> set(r, 18, 19)));
    // ... a property listed twice (the second entry's TPM_PT that of the first), or one below what was asked for
    assertTransport(props, tampered(props, r -> set(r, 30, r[22])));
    assertTransport(props, tampered(props, r -> set(r, 21, 1)));
    // GetRandom: more bytes than asked for
    Call random = new Call("GetRandom", CC_GET_RANDOM, () -> session.getRandom(16));
    assertTransport(random, tampered(random, r -> withSize(appendZeros(set(r, 11, 17), 1))));
    // ReadPublic: a Name that is not the outPublic's, right after the same SRK matched its template (the
    // memo of the last match compares every byte: it does not hide the change)
    Call srk = new Call("storageRootKey", CC_READ_PUBLIC, () -> session.storageRootKey(TpmKeyType.ECC_P256));
    session.storageRootKey(TpmKeyType.ECC_P256);
    assertTransport(srk, tampered(srk, RecordingTransport.flipByteAt(-40)));
    // and each still works afterwards
    assertThat(session.dictionaryAttackState().maxAuthFail()).isPositive();
    assertThat(session.storageRootKey(TpmKeyType.ECC_P256).createdNow()).isFalse();
  }

  // ---------------------------------------------------------------------------------------------

  /** A call through {@link TpmSession}'s path and the command code whose response is tampered with. */
  record Call(String name, int code, Action action) {}

  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  List<Call> calls() {
    List<Call> calls = new ArrayList<>();
    calls.add(new Call("getRandom", CC_GET_RANDOM, () -> session.getRandom(32)));
    calls.add(new Call("dictionaryAttackState", CC_GET_CAPABILITY, () -> session.dictionaryAttackState()));
    calls.add(new Call("handles", CC_GET_CAPABILITY, () -> PlainCommands.handles(channel, 0x81000000, 32)));
    calls.add(new Call("algorithms", CC_GET_CAPABILITY, () -> PlainCommands.algorithms(channel, 0, 64)));
    calls.add(new Call("eccCurves", CC_GET_CAPABILITY, () -> PlainCommands.eccCurves(channel, 0, 64)));
    calls.add(new Call("storageRootKey", CC_READ_PUBLIC, () -> session.storageRootKey(TpmKeyType.ECC_P256)));
    calls.add(new Call("readPublic RSA", CC_READ_PUBLIC,
        () -> PlainCommands.readPublic(channel, TpmSession.SRK_RSA_HANDLE)));
    return calls;
  }

  int responseLength(Call c) throws Exception {
    wire.start();
    c.action.run();
    return wire.stop().stream().filter(e -> e.commandCode() == c.code).findFirst().orElseThrow().response().length;
  }

  /** Runs {@code c} with its response changed by {@code change}: the error, or null if it returned. */
  KeytrustException tampered(Call c, UnaryOperator<byte[]> change) {
    int before = wire.tampered();
    wire.tamperOnce(c.code, change);
    try {
      c.action.run();
      return null;
    } catch (KeytrustException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(c.name + ": " + e.getClass().getName() + " escaped", e);
    } finally {
      assertThat(wire.tampered()).as(c.name + " was tampered with").isEqualTo(before + 1);
    }
  }

  static void assertOneLine(Call c, KeytrustException e) {
    assertThat(e.getMessage()).as(c.name).isNotBlank().doesNotContain("\n");
  }

  static void assertTransport(Call c, KeytrustException e) {
    assertThat(e).as(c.name).isNotNull();
    assertThat(e.code()).as(c.name + ": " + e.getMessage()).isEqualTo(CoreErrorCode.TPM_TRANSPORT);
    assertOneLine(c, e);
  }

  static byte[] withSize(byte[] r) {
    ByteBuffer.wrap(r).putInt(2, r.length);
    return r;
  }

  static byte[] set(byte[] r, int at, int value) {
    r[at] = (byte) value;
    return r;
  }

  static byte[] appendZeros(byte[] r, int n) {
    return Arrays.copyOf(r, r.length + n);
  }

  /** The bytes TSS.Java sends for {@code call}. */
  byte[] sent(Action call) throws Exception {
    wire.start();
    call.run();
    List<RecordingTransport.Exchange> x = wire.stop();
    assertThat(x).hasSize(1);
    return x.get(0).command();
  }

  void assertSameBytes(Action keytrust, Action tssJava) throws Exception {
    byte[] ours = sent(keytrust);
    assertThat(ours).isEqualTo(sent(tssJava));
  }

  /** TSS.Java's device over the test's wire: the bytes as they are, no retries. */
  static final class WireDevice extends TpmDevice {
    private final RecordingTransport wire;
    private byte[] pending;

    WireDevice(RecordingTransport wire) {
      this.wire = wire;
    }

    @Override
    public boolean connect() {
      return true;
    }

    @Override
    public void close() {}

    @Override
    public void dispatchCommand(byte[] command) {
      pending = command;
    }

    @Override
    public boolean responseReady() {
      return true;
    }

    @Override
    public byte[] getResponse() {
      try {
        return wire.transmit(pending);
      } catch (KeytrustException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** TSS.Java's device answering one recorded response. */
  static final class CannedDevice extends TpmDevice {
    private final byte[] response;

    CannedDevice(byte[] response) {
      this.response = response.clone();
    }

    @Override
    public boolean connect() {
      return true;
    }

    @Override
    public void close() {}

    @Override
    public void dispatchCommand(byte[] command) {}

    @Override
    public boolean responseReady() {
      return true;
    }

    @Override
    public byte[] getResponse() {
      return response.clone();
    }
  }
}
