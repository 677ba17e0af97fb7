package dev.keytrust.agent.pin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.FlowTestKit.ScriptedPins;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.key.Argon2Parameters;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.TestPins;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinCreationTest {
  private static final PinPolicy UPPER_REQUIRED = new PinPolicy(6, 127, CharClassRule.ALLOWED,
      CharClassRule.ALLOWED, CharClassRule.REQUIRED, CharClassRule.ALLOWED, 2, 0);

  /** The PIN's characters as a string (tests only), and the PIN destroyed. */
  private static String typed(Pin pin) {
    try (pin) {
      return pin.withChars(InsecureSecretAccess.get(), String::new);
    }
  }

  @Test
  void asksAgainAfterUnmetRulesAndAMismatchAndClearsEverythingButTheResult() throws Exception {
    ScriptedPins s = new ScriptedPins(true, "1234", "Good-PIN-7", "Good-PIN-8", "Good-PIN-7", "Good-PIN-7");
    assertThat(typed(PinCreation.forPolicy(UPPER_REQUIRED).withMaxAttempts(3).create(s))).isEqualTo("Good-PIN-7");
    assertThat(s.asked()).containsExactly(PinQuestion.NEW, PinQuestion.NEW, PinQuestion.CONFIRM, PinQuestion.NEW,
        PinQuestion.CONFIRM);
    assertThat(s.told()).hasSize(2);
    assertThat(s.told().get(0)).contains("3 rules", "at least 6 characters", "upper-case letters", "simple pattern",
        "2 attempts left");
    assertThat(s.told().get(1)).contains("differ", "1 attempt left");
    // every array the source handed out is zeroed, the PIN's too: the Pin holds its own copy
    assertThat(s.handedOut()).hasSize(5).allSatisfy(a -> assertThat(a).containsOnly('\0'));
  }

  @Test
  void afterTheLastAttemptTheUnmetRulesAreTheError() {
    ScriptedPins s = new ScriptedPins(true, "abc", "abcdef");
    assertThatThrownBy(() -> PinCreation.forPolicy(UPPER_REQUIRED).withMaxAttempts(2).create(s))
        .isInstanceOfSatisfying(PinRulesException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.PIN_RULES_UNMET);
          assertThat(e.violations()).containsExactly(new PinViolation.MissingClass(CharClass.UPPERCASE));
        })
        .hasMessageNotContaining("abcdef");
    assertThat(s.told()).hasSize(1);
    assertThat(s.handedOut()).allSatisfy(a -> assertThat(a).containsOnly('\0'));
  }

  @Test
  void afterTheLastAttemptAMismatchIsTheError() {
    ScriptedPins s = new ScriptedPins(true, "Good-PIN-1", "Good-PIN-2");
    assertThatThrownBy(() -> PinCreation.forPolicy(UPPER_REQUIRED).withMaxAttempts(1).create(s))
        .isInstanceOfSatisfying(AgentException.class, e -> {
          assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_MISMATCH);
          assertThat(e.code().badInput()).isTrue();
        });
    assertThat(s.told()).isEmpty();
    assertThat(s.handedOut()).allSatisfy(a -> assertThat(a).containsOnly('\0'));
  }

  @Test
  void endOfInputStopsAtOnce() {
    ScriptedPins s = new ScriptedPins(true, "Good-PIN-1");
    assertThatThrownBy(() -> PinCreation.forPolicy(UPPER_REQUIRED).create(s))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID));
    assertThat(s.handedOut()).allSatisfy(a -> assertThat(a).containsOnly('\0'));
  }

  @Test
  void anEmptyAnswerIsAFailedAttempt() throws Exception {
    ScriptedPins s = new ScriptedPins(true, "", "Good-PIN-1", "Good-PIN-1");
    assertThat(typed(PinCreation.forPolicy(UPPER_REQUIRED).create(s))).isEqualTo("Good-PIN-1");
    assertThat(s.told()).singleElement().asString().contains("No PIN was entered");
  }

  @Test
  void stdinTakesOneLineAsItsOwnConfirmation() throws Exception {
    StringReader in = new StringReader("Good-PIN-1\nnext line\n");
    assertThat(typed(PinCreation.forPolicy(UPPER_REQUIRED).create(new StdinPinSource(in)))).isEqualTo("Good-PIN-1");
    assertThat(PinLines.readLine(in)).as("only one line was read").containsExactly("next line".toCharArray());
  }

  @Test
  void stdinFailsAtTheFirstUnmetRuleWithTheWholeList() {
    StringReader in = new StringReader("abc\nGood-PIN-1\n");
    assertThatThrownBy(() -> PinCreation.forPolicy(UPPER_REQUIRED).create(new StdinPinSource(in)))
        .isInstanceOfSatisfying(PinRulesException.class, e -> assertThat(e.violations()).containsExactly(
            new PinViolation.TooShort(6), new PinViolation.MissingClass(CharClass.UPPERCASE)));
  }

  @Test
  void stdinWithoutInputNamesTheOption() {
    assertThatThrownBy(() -> PinCreation.forPolicy(UPPER_REQUIRED).create(new StdinPinSource(new StringReader(""))))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID))
        .hasMessageContaining("--pin-stdin");
  }

  @Test
  void historyRefusesARecentPin(@TempDir Path dir) throws Exception {
    PinHistory history = PinHistory.forUser(dir, "olga", new Argon2Parameters(64, 1, 1), Clock.systemUTC())
        .sealedWith(TestSealers.software(dir.resolve("keys")));
    history.record(TestPins.pin("Old-PIN-1"), UPPER_REQUIRED);
    ScriptedPins s = new ScriptedPins(true, "Old-PIN-1", "New-PIN-2", "New-PIN-2");
    assertThat(typed(PinCreation.forPolicy(UPPER_REQUIRED).withHistory(history).create(s))).isEqualTo("New-PIN-2");
    assertThat(s.told()).singleElement().asString().contains("not used recently");
  }

  @Test
  void confirmOnlyAppliesNoRules() throws Exception {
    ScriptedPins s = new ScriptedPins(true, "1", "1");
    assertThat(typed(PinCreation.confirmOnly().create(s))).isEqualTo("1");
  }

  @Test
  void attemptsAreBounded() {
    assertThatThrownBy(() -> PinCreation.confirmOnly().withMaxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PinCreation.confirmOnly().withMaxAttempts(11)).isInstanceOf(IllegalArgumentException.class);
    assertThat(PinCreation.confirmOnly().maxAttempts()).isEqualTo(3);
  }

  @Test
  void theConsoleSourceMasksWithTheQuestionsPromptsAndShowsMessages() throws Exception {
    List<String> prompts = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    Deque<String> answers = new ArrayDeque<>(List.of("abc", "Good-PIN-1", "Good-PIN-1"));
    ConsolePinSource console = new ConsolePinSource(new ConsolePinSource.Terminal() {
      @Override
      public char[] readMasked(String prompt) {
        prompts.add(prompt);
        return answers.poll().toCharArray();
      }

      @Override
      public void println(String line) {
        lines.add(line);
      }
    });
    assertThat(typed(PinCreation.forPolicy(UPPER_REQUIRED).create(console))).isEqualTo("Good-PIN-1");
    assertThat(prompts).containsExactly("New PIN: ", "New PIN: ", "Confirm PIN: ");
    assertThat(lines).singleElement().asString().contains("at least 6 characters");
  }

  @Test
  void currentPinEntryRefusesNothingTyped() throws Exception {
    assertThatThrownBy(() -> PinEntry.current(new ScriptedPins(true, "")))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID));
    assertThatThrownBy(() -> PinEntry.current(new ScriptedPins(true)))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.PIN_INVALID));
    ScriptedPins s = new ScriptedPins(true, "x");
    assertThat(typed(PinEntry.current(s))).isEqualTo("x");
    assertThat(s.asked()).containsExactly(PinQuestion.CURRENT);
  }
}
