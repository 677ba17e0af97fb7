package dev.keytrust.agent.pam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.InsecureSecretAccess;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The PIN as pam_exec's expose_authtok sends it. */
class PamPinInputTest {

  private static String read(byte[] bytes) throws Exception {
    try (Pin pin = PamPinInput.read(new ByteArrayInputStream(bytes))) {
      return pin.withChars(InsecureSecretAccess.get(), String::new);
    }
  }

  @Test
  void endedByNulEndOfInputOrANewline() throws Exception {
    assertThat(read("4711-Ab\0".getBytes(StandardCharsets.UTF_8))).isEqualTo("4711-Ab");
    assertThat(read("4711-Ab".getBytes(StandardCharsets.UTF_8))).isEqualTo("4711-Ab");
    assertThat(read("4711-Ab\n".getBytes(StandardCharsets.UTF_8))).isEqualTo("4711-Ab");
    assertThat(read("4711-Ab\r\n".getBytes(StandardCharsets.UTF_8))).isEqualTo("4711-Ab");
    // what follows the NUL is not read
    assertThat(read("4711\0rest".getBytes(StandardCharsets.UTF_8))).isEqualTo("4711");
    assertThat(read("Grüße-12".getBytes(StandardCharsets.UTF_8))).isEqualTo("Grüße-12");
  }

  @Test
  void noPinTooLongNotUtf8OrControlCharactersAreRefused() {
    assertThatThrownBy(() -> read(new byte[0])).isInstanceOfSatisfying(KeytrustException.class,
        e -> assertThat(e.code()).isEqualTo(AgentErrorCode.PAM_PIN_INPUT));
    assertThatThrownBy(() -> read("\0".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("No PIN");
    assertThatThrownBy(() -> read("1".repeat(PamPinInput.MAX_BYTES + 1).getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("More than");
    assertThatThrownBy(() -> read(new byte[] {'1', (byte) 0xC3, '2'})).hasMessageContaining("not UTF-8");
    assertThatThrownBy(() -> read("12\u001b34".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID));
  }
}
