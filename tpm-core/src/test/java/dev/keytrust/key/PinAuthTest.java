package dev.keytrust.key;

import static dev.keytrust.secret.TestPins.pin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.SecretBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class PinAuthTest {
  private static final byte[] SALT = HexFormat.of().parseHex("000102030405060708090A0B0C0D0E0F");

  private static byte[] derive(Pin pin, byte[] salt) throws KeytrustException {
    try (pin; SecretBuffer auth = PinAuth.derive(pin, salt)) {
      return auth.copy(InsecureSecretAccess.get());
    }
  }

  @Test
  void derivationIsTheDocumentedHmacOfThePinsUtf8() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SALT, "HmacSHA256"));
    byte[] expected = mac.doFinal("keytrust/tpm-key-auth/v1\u0000pässwörd€".getBytes(StandardCharsets.UTF_8));
    assertThat(derive(pin("pässwörd€"), SALT)).isEqualTo(expected).hasSize(32);
  }

  @Test
  void differentSaltsGiveDifferentAuthValues() throws Exception {
    byte[] other = SALT.clone();
    other[0] = 1;
    assertThat(derive(pin("1234"), SALT)).isNotEqualTo(derive(pin("1234"), other));
  }

  @Test
  void aDamagedSaltIsRefused() {
    assertThatThrownBy(() -> derive(pin("1234"), new byte[3]))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_CORRUPT));
  }
}
