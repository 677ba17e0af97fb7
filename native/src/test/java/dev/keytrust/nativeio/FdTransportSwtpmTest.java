package dev.keytrust.nativeio;

import static dev.keytrust.nativeio.TpmCommands.GET_RANDOM_16;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The device transport's poll/read/write path against a real TPM 2.0: swtpm in chardev mode. */
@EnabledOnOs(OS.LINUX)
class FdTransportSwtpmTest {
  @TempDir Path dir;
  private SwtpmChardev swtpm;
  private FdTransport transport;

  @BeforeEach
  void start() throws Exception {
    swtpm = SwtpmChardev.start(dir);
    transport = new FdTransport(LinuxLibC.get(), swtpm.takeFd(), "swtpm chardev", Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() throws Exception {
    if (transport != null) {
      transport.close();
    }
    if (swtpm != null) {
      swtpm.stop();
    }
  }

  @Test
  void getRandomReturnsSuccessAndSixteenBytes() throws Exception {
    byte[] first = transport.transmit(GET_RANDOM_16);
    byte[] second = transport.transmit(GET_RANDOM_16);

    for (byte[] r : new byte[][] {first, second}) {
      assertThat(TpmCommands.tag(r)).isEqualTo(TpmCommands.TPM_ST_NO_SESSIONS);
      assertThat(TpmCommands.responseCode(r)).as("rc").isZero();
      assertThat(TpmCommands.size(r)).isEqualTo(r.length).isEqualTo(10 + 2 + 16);
      assertThat(ByteBuffer.wrap(r).getShort(10)).as("TPM2B_DIGEST size").isEqualTo((short) 16);
    }
    assertThat(Arrays.copyOfRange(first, 12, 28)).isNotEqualTo(Arrays.copyOfRange(second, 12, 28));
  }

  @Test
  void getCapabilityReadsTheManufacturer() throws Exception {
    byte[] r =
        transport.transmit(
            TpmCommands.getCapability(
                TpmCommands.TPM_CAP_TPM_PROPERTIES, TpmCommands.TPM_PT_MANUFACTURER, 1));

    assertThat(TpmCommands.responseCode(r)).as("rc").isZero();
    // moreData(1) TPMS_CAPABILITY_DATA{capability(4) count(4) TPMS_TAGGED_PROPERTY{property(4) value(4)}}
    assertThat(TpmCommands.size(r)).isEqualTo(r.length).isEqualTo(10 + 1 + 4 + 4 + 8);
    ByteBuffer b = ByteBuffer.wrap(r, 11, r.length - 11);
    assertThat(b.getInt()).isEqualTo(TpmCommands.TPM_CAP_TPM_PROPERTIES);
    assertThat(b.getInt()).isEqualTo(1);
    assertThat(b.getInt()).isEqualTo(TpmCommands.TPM_PT_MANUFACTURER);
    assertThat(b.getInt()).as("'IBM' as libtpms reports it").isEqualTo(0x49424D00);
  }

  @Test
  void getCapabilityListsAlgorithmsInALongerResponse() throws Exception {
    byte[] r = transport.transmit(TpmCommands.getCapability(TpmCommands.TPM_CAP_ALGS, 0x0001, 64));

    assertThat(TpmCommands.responseCode(r)).as("rc").isZero();
    int count = ByteBuffer.wrap(r).getInt(15);
    assertThat(count).isGreaterThan(10);
    // TPMS_ALG_PROPERTY: alg(2) algProperties(4)
    assertThat(TpmCommands.size(r)).isEqualTo(r.length).isEqualTo(10 + 1 + 4 + 4 + 6L * count);
  }

  @Test
  void aTpmErrorResponseIsReturnedAsIs() throws Exception {
    byte[] r = transport.transmit(TpmCommands.unknownCommand());

    assertThat(r).hasSize(10);
    assertThat(TpmCommands.responseCode(r)).isEqualTo(TpmCommands.TPM_RC_COMMAND_CODE);
    // the stream stays in step: the next command still works
    assertThat(TpmCommands.responseCode(transport.transmit(GET_RANDOM_16))).isZero();
  }

  @Test
  void closedTransportRefusesCommands() throws Exception {
    transport.close();
    transport.close();

    assertThatThrownBy(() -> transport.transmit(GET_RANDOM_16))
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
        .hasMessageContaining("is closed");
  }
}
