package dev.keytrust.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PinTest {
  private static final SecretAccess ACCESS = InsecureSecretAccess.get();

  @Test
  void thePinIsItsCharactersAndTheirUtf8AsTyped() throws Exception {
    char[] typed = "pässwörd€".toCharArray();
    try (Pin pin = Pin.copyOf(typed)) {
      assertThat(pin.length()).isEqualTo(9);
      byte[] utf8 = pin.withUtf8(ACCESS, bytes -> bytes.clone());
      String chars = pin.withChars(ACCESS, c -> new String(c));
      assertThat(utf8).isEqualTo("pässwörd€".getBytes(StandardCharsets.UTF_8));
      assertThat(chars).isEqualTo("pässwörd€");
    }
    assertThat(typed).as("copyOf leaves the caller's array").containsExactly("pässwörd€".toCharArray());
  }

  @Test
  void moveFromZeroesTheArrayEvenWhenThePinIsRefused() throws Exception {
    char[] typed = "1234".toCharArray();
    Pin.moveFrom(typed).close();
    assertThat(typed).containsOnly('\0');
    char[] broken = {'1', '\uD800', '2'};
    assertThatThrownBy(() -> Pin.moveFrom(broken)).isInstanceOf(KeytrustException.class);
    assertThat(broken).containsOnly('\0');
  }

  @Test
  void emptyOverlongAndBrokenPinsAreRefusedWithoutShowingThem() {
    for (char[] bad : new char[][] {new char[0], new char[Pin.MAX_LENGTH + 1], {'1', '\uD800', '2', '3'}, {'9', '\uDC00'},
        {'1', '2', '3', '\0'}, {'1', 0x1B, '2', '3'}, {'1', 0x7F, '3'}, {'1', 0x85, '3'}, {' ', ' ', ' '}, {'\u3000'},
        {'1', '2', '\n', '3'}}) {
      assertThatThrownBy(() -> Pin.copyOf(bad))
          .isInstanceOfSatisfying(KeytrustException.class, e -> {
            assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID);
            assertThat(e.code().badInput()).isTrue();
          })
          .hasMessageNotContaining("123");
    }
    char[] longest = new char[Pin.MAX_LENGTH];
    java.util.Arrays.fill(longest, '7');
    assertThat(assertDoesNotThrow(longest).length()).isEqualTo(Pin.MAX_LENGTH);
  }

  private static Pin assertDoesNotThrow(char[] chars) {
    try {
      return Pin.copyOf(chars);
    } catch (KeytrustException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void copiesHandedOutAreZeroedAfterUse() throws Exception {
    try (Pin pin = TestPins.pin("2468")) {
      char[][] seenChars = new char[1][];
      byte[][] seenBytes = new byte[1][];
      pin.withChars(ACCESS, chars -> seenChars[0] = chars);
      pin.withUtf8(ACCESS, bytes -> seenBytes[0] = bytes);
      assertThat(seenChars[0]).containsOnly('\0');
      assertThat(seenBytes[0]).containsOnly(0);
      String again = pin.withChars(ACCESS, String::new);
      assertThat(again).isEqualTo("2468");
    }
  }

  @Test
  void destroyZeroesAndForbidsFurtherUse() {
    Pin pin = TestPins.pin("2468");
    assertThat(pin.isDestroyed()).isFalse();
    pin.destroy();
    pin.close();
    assertThat(pin.isDestroyed()).isTrue();
    assertThatThrownBy(pin::length).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> pin.withUtf8(ACCESS, b -> b.length)).isInstanceOf(IllegalStateException.class);
    assertThat(pin).hasToString("Pin[destroyed]");
  }

  @Test
  void readingNeedsTheTokenAndNothingPrintsThePin() {
    try (Pin pin = TestPins.pin("8642")) {
      assertThatThrownBy(() -> pin.withChars(null, String::new)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> pin.withUtf8(null, b -> b.length)).isInstanceOf(NullPointerException.class);
      assertThat(pin.toString()).doesNotContain("8642").doesNotContain("4");
    }
  }

  @Test
  void sameAsComparesContents() {
    try (Pin a = TestPins.pin("1357"); Pin b = TestPins.pin("1357"); Pin c = TestPins.pin("1358");
        Pin d = TestPins.pin("13579")) {
      assertThat(a.sameAs(b)).isTrue();
      assertThat(a.sameAs(c)).isFalse();
      assertThat(a.sameAs(d)).isFalse();
      assertThat(a).isNotEqualTo(b);
    }
  }
}
