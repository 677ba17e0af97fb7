package dev.keytrust.nativeio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmUri;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * What of TBS can run off Windows: the OS check, the result-code mapping, the context parameter
 * layout, and the transport's branches against a stand-in for tbs.dll. Real TBS calls need Windows.
 */
class TbsTransportProviderTest {

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void offWindowsOpenSaysWhatToUseInstead() {
    assertThatThrownBy(
            () -> new TbsTransportProvider().open(TpmUri.parse("tbs:"), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(
            KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_PLATFORM_UNSUPPORTED))
        .hasMessageStartingWith("tbs: is the Windows TPM Base Services")
        .hasMessageContaining("on this OS use device:/dev/tpmrm0 or mssim://HOST:PORT");
  }

  @Test
  void tpmNotFoundIsUnreachableWithItsHexCode() {
    KeytrustException e = TbsResult.toException("Tbsi_Context_Create", 0x8028400F);

    assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE);
    assertThat(e)
        .hasMessageStartingWith("Tbsi_Context_Create failed with TBS_E_TPM_NOT_FOUND (0x8028400F)")
        .hasMessageContaining("firmware");
  }

  @Test
  void serviceAndCapacityResultsMapToTheirCodes() {
    assertThat(TbsResult.toException("f", 0x80284008).code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE);
    assertThat(TbsResult.toException("f", 0x80284008)).hasMessageContaining("TBS_E_SERVICE_NOT_RUNNING");
    assertThat(TbsResult.toException("f", 0x80284010).code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE);
    assertThat(TbsResult.toException("f", 0x80284009).code()).isEqualTo(CoreErrorCode.TPM_BUSY);
    assertThat(TbsResult.toException("f", 0x8028400B).code()).isEqualTo(CoreErrorCode.TPM_BUSY);
    assertThat(TbsResult.toException("f", 0x8028400A).code()).isEqualTo(CoreErrorCode.TPM_OBJECT_MEMORY);
    assertThat(TbsResult.toException("f", 0x80284012).code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE);
    assertThat(TbsResult.toException("f", 0x80284006).code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT);
  }

  @Test
  void anUnknownResultKeepsItsHexValue() {
    KeytrustException e = TbsResult.toException("Tbsip_Submit_Command", 0x80280400);

    assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT);
    assertThat(e).hasMessageContaining("TBS result 0x80280400");
  }

  @Test
  void resultValuesAreDistinctAndInTheTbsFacility() {
    assertThat(new HashSet<>(Arrays.stream(TbsResult.values()).map(TbsResult::value).toList()))
        .hasSize(TbsResult.values().length);
    for (TbsResult r : TbsResult.values()) {
      assertThat(r.value() & 0xFFFFFF00).as(r.name()).isEqualTo(0x80284000);
      assertThat(TbsResult.of(r.value())).isSameAs(r);
    }
    assertThat(TbsResult.of(0)).isNull();
  }

  @Test
  void contextParamsAreVersionTwoWithIncludeTpm20() {
    Tbs.TbsContextParams2 params = Tbs.TbsContextParams2.tpm20();
    params.write();

    assertThat(params.size()).isEqualTo(8);
    assertThat(params.getPointer().getInt(0)).isEqualTo(2);
    assertThat(params.getPointer().getInt(4)).isEqualTo(0b100);
  }

  @Test
  void submitCopiesTheResponseOut() throws Exception {
    byte[] response = TpmCommands.response(0, new byte[] {0, 2, 7, 9});
    FakeTbs tbs =
        new FakeTbs() {
          @Override
          public int Tbsip_Submit_Command(Pointer c, int locality, int priority, Pointer cmd,
              int cmdSize, Pointer result, IntByReference resultSize) {
            assertThat(locality).isEqualTo(Tbs.TBS_COMMAND_LOCALITY_ZERO);
            assertThat(priority).isEqualTo(Tbs.TBS_COMMAND_PRIORITY_NORMAL);
            assertThat(cmd.getByteArray(0, cmdSize)).isEqualTo(TpmCommands.GET_RANDOM_16);
            assertThat(resultSize.getValue()).isEqualTo(TbsTransport.RESPONSE_BUFFER_SIZE);
            result.write(0, response, 0, response.length);
            resultSize.setValue(response.length);
            return Tbs.TBS_SUCCESS;
          }
        };
    try (TbsTransport t = new TbsTransport(tbs, Pointer.createConstant(1), Duration.ofSeconds(30))) {
      assertThat(t.transmit(TpmCommands.GET_RANDOM_16)).isEqualTo(response);
    }
    assertThat(tbs.closed).isEqualTo(1);
  }

  @Test
  void aSubmitPastTheTimeoutIsCancelledAndReportedAsATimeout() throws Exception {
    CountDownLatch cancelled = new CountDownLatch(1);
    FakeTbs tbs =
        new FakeTbs() {
          @Override
          public int Tbsip_Submit_Command(Pointer c, int locality, int priority, Pointer cmd,
              int cmdSize, Pointer result, IntByReference resultSize) {
            try {
              return cancelled.await(30, TimeUnit.SECONDS) ? 0x8028400D : Tbs.TBS_SUCCESS;
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }

          @Override
          public int Tbsip_Cancel_Commands(Pointer context) {
            cancelled.countDown();
            return Tbs.TBS_SUCCESS;
          }
        };
    try (TbsTransport t = new TbsTransport(tbs, Pointer.createConstant(1), Duration.ofMillis(100))) {
      assertThatThrownBy(() -> t.transmit(TpmCommands.GET_RANDOM_16))
          .isInstanceOfSatisfying(
              KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
          .hasMessageContaining("TPM2_GetRandom got no answer from tbs: within 100 ms")
          .hasMessageContaining("0x8028400D");
    }
  }

  @Test
  void aFailedSubmitIsMapped() {
    FakeTbs tbs =
        new FakeTbs() {
          @Override
          public int Tbsip_Submit_Command(Pointer c, int locality, int priority, Pointer cmd,
              int cmdSize, Pointer result, IntByReference resultSize) {
            return 0x80284004;
          }
        };
    TbsTransport t = new TbsTransport(tbs, Pointer.createConstant(1), Duration.ofSeconds(30));
    assertThatThrownBy(() -> t.transmit(TpmCommands.GET_RANDOM_16))
        .hasMessageContaining("TBS_E_INVALID_CONTEXT (0x80284004)");
    t.close();
    t.close();
    assertThat(tbs.closed).isEqualTo(1);
    assertThatThrownBy(() -> t.transmit(TpmCommands.GET_RANDOM_16)).hasMessageContaining("is closed");
  }

  @Test
  void deviceInfoIsFourUint32s() {
    Tbs.TpmDeviceInfo info = new Tbs.TpmDeviceInfo();
    info.getPointer().setInt(4, 2);
    info.getPointer().setInt(8, 3);
    info.read();

    assertThat(info.size()).isEqualTo(16);
    assertThat(info.versionName()).isEqualTo("2.0");
    assertThat(info.interfaceName()).isEqualTo("hardware");
  }

  @Test
  void openChecksTheVersionThenCreatesATpm20Context() throws Exception {
    DeviceTbs tbs = new DeviceTbs(Tbs.TBS_SUCCESS, Tbs.TPM_VERSION_20);

    try (TbsTransport t = TbsTransportProvider.open(tbs, Duration.ofSeconds(30))) {
      assertThat(t.describe()).isEqualTo("tbs:");
    }
    assertThat(tbs.infoSize).isEqualTo(16);
    assertThat(tbs.contextFlags).isEqualTo(Tbs.INCLUDE_TPM20);
    assertThat(tbs.closed).isEqualTo(1);
  }

  @Test
  void aTpm12IsRefusedBeforeAnyContextIsCreated() {
    DeviceTbs tbs = new DeviceTbs(Tbs.TBS_SUCCESS, Tbs.TPM_VERSION_12);

    assertThatThrownBy(() -> TbsTransportProvider.open(tbs, Duration.ofSeconds(30)))
        .isInstanceOfSatisfying(
            KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_VERSION_UNSUPPORTED))
        .hasMessageStartingWith("Windows reports a TPM 1.2 (Tbsi_GetDeviceInfo) and keytrust needs a TPM 2.0")
        .hasMessageContaining("'software' keys");
    assertThat(tbs.contextFlags).as("no context created").isEqualTo(-1);
  }

  @Test
  void noTpmAtAllIsReportedFromGetDeviceInfo() {
    DeviceTbs tbs = new DeviceTbs(0x8028400F, 0);

    assertThatThrownBy(() -> TbsTransportProvider.open(tbs, Duration.ofSeconds(30)))
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE))
        .hasMessageStartingWith("Tbsi_GetDeviceInfo failed with TBS_E_TPM_NOT_FOUND (0x8028400F)");
    assertThat(tbs.contextFlags).isEqualTo(-1);
  }

  /** A stand-in for tbs.dll that reports one device and records the context it is asked for. */
  private static final class DeviceTbs extends FakeTbs {
    private final int infoResult;
    private final int version;
    int infoSize = -1;
    int contextFlags = -1;

    DeviceTbs(int infoResult, int version) {
      this.infoResult = infoResult;
      this.version = version;
    }

    @Override
    public int Tbsi_GetDeviceInfo(int size, TpmDeviceInfo info) {
      infoSize = size;
      if (infoResult == Tbs.TBS_SUCCESS) {
        info.structVersion = 1;
        info.tpmVersion = version;
        info.tpmInterfaceType = 3;
        info.write(); // as the native call leaves it in the structure's memory
      }
      return infoResult;
    }

    @Override
    public int Tbsi_Context_Create(TbsContextParams2 params, PointerByReference context) {
      contextFlags = params.flags;
      context.setValue(Pointer.createConstant(7));
      return Tbs.TBS_SUCCESS;
    }

    @Override
    public int Tbsip_Submit_Command(Pointer c, int locality, int priority, Pointer cmd, int cmdSize,
        Pointer result, IntByReference resultSize) {
      throw new UnsupportedOperationException();
    }
  }

  /** Stands in for tbs.dll to drive the transport's branches; not a TPM. */
  private abstract static class FakeTbs implements Tbs {
    int closed;

    @Override
    public int Tbsi_GetDeviceInfo(int size, TpmDeviceInfo info) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int Tbsi_Context_Create(TbsContextParams2 params, PointerByReference context) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int Tbsip_Cancel_Commands(Pointer context) {
      return Tbs.TBS_SUCCESS;
    }

    @Override
    public int Tbsip_Context_Close(Pointer context) {
      closed++;
      return Tbs.TBS_SUCCESS;
    }
  }
}
