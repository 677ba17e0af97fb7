package dev.keytrust.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class PinAuthTest {
  private static final byte[] SALT = HexFormat.of().parseHex("000102030405060708090A0B0C0D0E0F");

  @Test
  void derivationIsTheDocumentedHmac() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SALT, "HmacSHA256"));
    byte[] expected = mac.doFinal("keytrust/tpm-key-auth/v1\u00001234".getBytes(StandardCharsets.UTF_8));
    assertThat(PinAuth.derive("1234".toCharArray(), SALT)).isEqualTo(expected).hasSize(32);
  }

  @Test
  void pinIsUtf8AsTypedAndNotModified() throws Exception {
    char[] pin = "pässwörd€".toCharArray();
    assertThat(PinAuth.utf8(pin)).isEqualTo("pässwörd€".getBytes(StandardCharsets.UTF_8));
    assertThat(pin).containsExactly("pässwörd€".toCharArray());
  }

  @Test
  void theSecretBufferFormsHoldTheSameBytes() throws Exception {
    char[] pin = "pässwörd€".toCharArray();
    try (dev.keytrust.secret.SecretBuffer auth = PinAuth.deriveSecret(pin, SALT);
        dev.keytrust.secret.SecretBuffer utf8 = PinAuth.utf8Secret(pin)) {
      assertThat(auth.size()).isEqualTo(32);
      assertThat(auth.copy(dev.keytrust.secret.InsecureSecretAccess.get())).isEqualTo(PinAuth.derive(pin, SALT));
      assertThat(utf8.copy(dev.keytrust.secret.InsecureSecretAccess.get())).isEqualTo("pässwörd€".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(pin).containsExactly("pässwörd€".toCharArray());
    assertThatThrownBy(() -> PinAuth.utf8Secret(new char[0]))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID));
  }

  @Test
  void differentSaltsGiveDifferentAuthValues() throws Exception {
    byte[] other = SALT.clone();
    other[0] = 1;
    assertThat(PinAuth.derive("1234".toCharArray(), SALT)).isNotEqualTo(PinAuth.derive("1234".toCharArray(), other));
  }

  @Test
  void rejectsEmptyOverlongAndBrokenPins() {
    assertThatThrownBy(() -> PinAuth.derive(new char[0], SALT))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID));
    assertThatThrownBy(() -> PinAuth.derive(new char[128], SALT))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID));
    assertThatThrownBy(() -> PinAuth.derive(new char[] {'1', '\uD800', '2', '3'}, SALT))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID))
        .hasMessageNotContaining("123");
    assertThatThrownBy(() -> PinAuth.derive("1234".toCharArray(), new byte[3]))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_CORRUPT));
  }
}
