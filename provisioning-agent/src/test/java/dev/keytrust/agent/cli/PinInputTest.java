package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.junit.jupiter.api.Test;

class PinInputTest {

  private static InputStream stdin(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsOneLineWithoutTheNewline() throws Exception {
    assertThat(PinInput.readLine(stdin("1234\n"))).containsExactly('1', '2', '3', '4');
  }

  @Test
  void stripsCarriageReturnOfWindowsLineEnds() throws Exception {
    assertThat(PinInput.readLine(stdin("12 34\r\n"))).containsExactly('1', '2', ' ', '3', '4');
  }

  @Test
  void keepsCarriageReturnsInsideThePin() throws Exception {
    assertThat(PinInput.readLine(stdin("a\rb\n"))).containsExactly('a', '\r', 'b');
  }

  @Test
  void acceptsALastLineWithoutNewline() throws Exception {
    assertThat(PinInput.readLine(stdin("5678"))).containsExactly('5', '6', '7', '8');
  }

  @Test
  void readsOnlyTheFirstLine() throws Exception {
    Reader r = new StringReader("first\nsecond\n");
    assertThat(PinInput.readLine(r)).containsExactly('f', 'i', 'r', 's', 't');
    assertThat(PinInput.readLine(r)).containsExactly('s', 'e', 'c', 'o', 'n', 'd');
  }

  @Test
  void decodesUtf8() throws Exception {
    assertThat(PinInput.readLine(stdin("pïn€\n"))).containsExactly('p', 'ï', 'n', '€');
  }

  @Test
  void growsPastTheInitialBuffer() throws Exception {
    String pin = "x".repeat(300);
    assertThat(new String(PinInput.readLine(stdin(pin + "\n")))).isEqualTo(pin);
  }

  @Test
  void emptyLineIsAnError() {
    assertThatThrownBy(() -> PinInput.readLine(stdin("\n")))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID))
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> PinInput.readLine(stdin("\r\n")))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID));
  }

  @Test
  void noInputIsAnErrorThatNamesTheOption() {
    assertThatThrownBy(() -> PinInput.readLine(stdin("")))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code().badInput()).isTrue())
        .hasMessageContaining("--pin-stdin");
  }

  @Test
  void overlongLineIsRefusedWithoutEchoingIt() {
    String line = "7".repeat(PinInput.MAX_LENGTH + 1) + "\n";
    assertThatThrownBy(() -> PinInput.readLine(stdin(line)))
        .isInstanceOf(KeytrustException.class)
        .hasMessageNotContaining("7777");
    assertThat(catchPin(PinInput.MAX_LENGTH)).hasSize(PinInput.MAX_LENGTH);
  }

  private static char[] catchPin(int n) {
    try {
      return PinInput.readLine(stdin("7".repeat(n) + "\n"));
    } catch (KeytrustException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void readErrorsBecomeKeytrustErrorsWithTheCause() {
    InputStream broken = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("stdin closed");
      }
    };
    assertThatThrownBy(() -> PinInput.readLine(broken))
        .isInstanceOf(KeytrustException.class)
        .hasCauseInstanceOf(IOException.class);
  }

  @Test
  void theReaderApiHandsBackCharArraysOrPinsNeverStrings() throws Exception {
    for (Method m : PinInput.class.getDeclaredMethods()) {
      if (m.getName().startsWith("read")) {
        assertThat(m.getReturnType()).as(m.toString()).isEqualTo(char[].class);
      }
      if (m.getName().startsWith("prompt")) {
        assertThat(m.getReturnType()).as(m.toString()).isEqualTo(Pin.class);
      }
    }
  }

  @Test
  void promptWithoutConsoleTellsToUsePinStdin() {
    assertThatThrownBy(() -> PinInput.prompt(null, "PIN: "))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code().badInput()).isTrue())
        .hasMessageContaining("use --pin-stdin");
  }

  @Test
  void promptNewReturnsThePinWhenConfirmationMatchesAndClearsTheConfirmation() throws Exception {
    FakeConsole console = new FakeConsole("2468", "2468");
    try (Pin pin = PinInput.promptNew(console)) {
      String typed = pin.withChars(InsecureSecretAccess.get(), String::new);
      assertThat(typed).isEqualTo("2468");
    }
    assertThat(console.prompts).containsExactly("New PIN: ", "Confirm PIN: ");
    assertThat(console.handedOut.get(1)).containsOnly('\0');
  }

  @Test
  void promptNewRefusesDifferentPinsAndClearsBoth() {
    FakeConsole console = new FakeConsole("2468", "2469");
    assertThatThrownBy(() -> PinInput.promptNew(console))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_MISMATCH);
          assertThat(e.code().badInput()).isTrue();
        })
        .hasMessageNotContaining("2468")
        .hasMessageNotContaining("2469");
    assertThat(console.handedOut).allSatisfy(a -> assertThat(a).containsOnly('\0'));
  }

  @Test
  void promptTreatsEndOfInputAsNoPin() {
    assertThatThrownBy(() -> PinInput.prompt(new FakeConsole(), "PIN: "))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID));
  }


  /** Answers prompts from a queue; remembers the arrays it handed out to check they get cleared. */
  static final class FakeConsole implements PinConsole {
    final Deque<String> answers;
    final java.util.List<String> prompts = new java.util.ArrayList<>();
    final java.util.List<char[]> handedOut = new java.util.ArrayList<>();

    FakeConsole(String... answers) {
      this.answers = new ArrayDeque<>(Arrays.asList(answers));
    }

    @Override
    public char[] readPassword(String prompt) {
      prompts.add(prompt);
      String a = answers.poll();
      if (a == null) {
        return null;
      }
      char[] chars = a.toCharArray();
      handedOut.add(chars);
      return chars;
    }
  }
}
