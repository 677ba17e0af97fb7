package dev.keytrust.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which timeout each command gets, and the error that names a stalled command. */
class CommandTimeoutsTest {
  static final int TPM_CC_SIGN = 0x15D;
  static final int TPM_CC_LOAD = 0x157;
  static final int TPM_CC_STARTUP = 0x144;
  static final int TPM_CC_GET_RANDOM = 0x17B;

  /** A header-only command: TPM_ST_NO_SESSIONS, size 10, the code. */
  static byte[] command(int code) {
    return ByteBuffer.allocate(10).putShort((short) 0x8001).putInt(10).putInt(code).array();
  }

  @Test
  void keyGenerationGetsTheLongTimeoutAndEverythingElseTheShortOne() {
    CommandTimeouts t = new CommandTimeouts(Duration.ofSeconds(120), Duration.ofSeconds(2));
    assertThat(t.forCommand(command(CommandTimeouts.TPM_CC_CREATE_PRIMARY))).isEqualTo(Duration.ofSeconds(120));
    assertThat(t.forCommand(command(CommandTimeouts.TPM_CC_CREATE))).isEqualTo(Duration.ofSeconds(120));
    assertThat(t.forCommand(command(CommandTimeouts.TPM_CC_CREATE_LOADED))).isEqualTo(Duration.ofSeconds(120));
    for (int other : new int[] {TPM_CC_SIGN, TPM_CC_LOAD, TPM_CC_STARTUP, TPM_CC_GET_RANDOM, 0x17A, 0x121, 0x999}) {
      assertThat(t.forCode(other)).as("0x%X", other).isEqualTo(Duration.ofSeconds(2));
    }
    assertThat(t.forCommand(new byte[] {1, 2, 3})).isEqualTo(Duration.ofSeconds(2));
    assertThat(t.longest()).isEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void defaultsAre120sForKeyGenerationAnd20sForTheRest() {
    assertThat(CommandTimeouts.defaults().keyGeneration()).isEqualTo(TpmTransports.DEFAULT_IO_TIMEOUT);
    assertThat(CommandTimeouts.defaults().command()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void oneIoTimeoutBoundsBothButNeverLengthensTheShortOne() {
    assertThat(CommandTimeouts.upTo(Duration.ofSeconds(300)))
        .isEqualTo(new CommandTimeouts(Duration.ofSeconds(300), CommandTimeouts.DEFAULT_COMMAND));
    assertThat(CommandTimeouts.upTo(Duration.ofSeconds(5)))
        .isEqualTo(new CommandTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)));
  }

  @Test
  void timeoutsMustBePositive() {
    assertThatThrownBy(() -> new CommandTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CommandTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void commandsAreNamedAsInTheTcgSpec() {
    assertThat(CommandTimeouts.commandName(TPM_CC_SIGN)).isEqualTo("TPM2_Sign");
    assertThat(CommandTimeouts.commandName(CommandTimeouts.TPM_CC_CREATE_PRIMARY)).isEqualTo("TPM2_CreatePrimary");
    assertThat(CommandTimeouts.commandName(command(CommandTimeouts.TPM_CC_CREATE_LOADED))).isEqualTo("TPM2_CreateLoaded");
    assertThat(CommandTimeouts.commandName(0x999)).isEqualTo("TPM_CC 0x00000999");
  }

  @Test
  void theTimeoutErrorNamesTheCommandTheTimeoutAndWhatToDo() {
    SocketTimeoutException cause = new SocketTimeoutException("Read timed out");
    KeytrustException e =
        CommandTimeouts.timedOut("mssim://127.0.0.1:2321", command(TPM_CC_SIGN), Duration.ofSeconds(20), cause);
    assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT);
    assertThat(e.getCause()).isSameAs(cause);
    assertThat(e).hasMessageStartingWith("TPM2_Sign got no answer from mssim://127.0.0.1:2321 within 20 s")
        .hasMessageContaining("commands other than key generation")
        .hasMessageContaining("Check that the TPM");
    assertThat(CommandTimeouts.timedOut("device:/dev/tpmrm0", command(CommandTimeouts.TPM_CC_CREATE),
            Duration.ofMillis(1500), "waiting for the response", null))
        .hasMessageStartingWith("TPM2_Create got no answer from device:/dev/tpmrm0 within 1500 ms")
        .hasMessageContaining("the key generation timeout, while waiting for the response");
  }

  @Test
  void theSessionSendsEachCommandWithItsOwnTimeout() throws Exception {
    List<Duration> asked = new ArrayList<>();
    List<Integer> codes = new ArrayList<>();
    TpmTransport t = new TpmTransport() {
      @Override
      public byte[] transmit(byte[] command) {
        throw new AssertionError("the session must say how long each command may take");
      }

      @Override
      public byte[] transmit(byte[] command, Duration timeout) {
        codes.add(CommandTimeouts.commandCode(command));
        asked.add(timeout);
        // ReadPublic: TPM_RC_HANDLE (no SRK yet, so CreatePrimary follows); the rest TPM_RC_FAILURE
        return TransportDeviceTest.response(CommandTimeouts.commandCode(command) == 0x173 ? 0x18B : 0x101);
      }

      @Override
      public String describe() {
        return "recording";
      }

      @Override
      public void close() {}
    };
    CommandTimeouts timeouts = new CommandTimeouts(Duration.ofSeconds(90), Duration.ofSeconds(3));
    try (TpmSession s = TpmSession.open(t, false, timeouts)) {
      assertThatThrownBy(() -> s.getRandom(4)).isInstanceOf(KeytrustException.class);
      assertThatThrownBy(() -> s.storageRootKey(TpmKeyType.ECC_P256)).isInstanceOf(KeytrustException.class);
    }
    assertThat(codes).containsExactly(TPM_CC_GET_RANDOM, 0x173, CommandTimeouts.TPM_CC_CREATE_PRIMARY);
    assertThat(asked).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(90));
    for (int i = 0; i < codes.size(); i++) {
      assertThat(asked.get(i)).isEqualTo(timeouts.forCode(codes.get(i)));
    }
  }
}
