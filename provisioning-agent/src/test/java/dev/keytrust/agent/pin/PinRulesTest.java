package dev.keytrust.agent.pin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.TestPins;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PinRulesTest {
  /** Digits only may be too permissive for the examples: 4..127, everything allowed. */
  private static final PinPolicy OPEN = new PinPolicy(4, 127, CharClassRule.ALLOWED, CharClassRule.ALLOWED,
      CharClassRule.ALLOWED, CharClassRule.ALLOWED, 0, 0);

  private static PinCheck check(String pin, PinPolicy policy) {
    try (Pin p = TestPins.pin(pin)) {
      return PinRules.check(p, policy);
    }
  }

  // ---- §1.3 simple-PIN rule -----------------------------------------------------------------

  @ParameterizedTest(name = "Microsoft FAQ: {0} is a simple PIN")
  @ValueSource(strings = {"1111", "1234", "1357", "9630", "1593", "7036"})
  void microsoftsRejectedExamplesAreSimple(String pin) {
    assertThat(PinRules.isSimple(pin.toCharArray())).isTrue();
    assertThat(check(pin, OPEN).violations()).containsExactly(new PinViolation.SimplePin());
  }

  @ParameterizedTest(name = "Microsoft: {0} is allowed")
  @ValueSource(strings = {"1231", "1872", "1113", "99875"})
  void microsoftsAllowedExamplesPass(String pin) {
    assertThat(PinRules.isSimple(pin.toCharArray())).isFalse();
    assertThat(check(pin, OPEN).passed()).isTrue();
  }

  @ParameterizedTest(name = "himmelblau is_simple_pin: {0} is simple")
  @ValueSource(strings = {"111111", "123456", "135791", "963074", "159371", "703692"})
  void himmelblausSimplePinsAreSimple(String pin) {
    assertThat(PinRules.isSimple(pin.toCharArray())).isTrue();
    assertThat(check(pin, PinPolicy.defaults()).violations()).containsExactly(new PinViolation.SimplePin());
  }

  @ParameterizedTest(name = "himmelblau is_simple_pin: {0} is fine")
  @ValueSource(strings = {"123451", "187265", "432187"})
  void himmelblausFinePinsPass(String pin) {
    assertThat(PinRules.isSimple(pin.toCharArray())).isFalse();
    assertThat(check(pin, PinPolicy.defaults()).passed()).isTrue();
  }

  @Test
  void theRuleRefusesExactly100PinsOfEachLength() {
    for (int length : new int[] {4, 6}) {
      int simple = 0;
      int limit = (int) Math.pow(10, length);
      for (int n = 0; n < limit; n++) {
        char[] pin = String.format("%0" + length + "d", n).toCharArray();
        if (PinRules.isSimple(pin)) {
          simple++;
        }
      }
      assertThat(simple).as("length %d", length).isEqualTo(100);
    }
  }

  @Test
  void theRuleDoesNotApplyToAlphanumericPins() {
    assertThat(PinRules.isSimple("abcd".toCharArray())).isFalse();
    assertThat(PinRules.isSimple("1234a".toCharArray())).isFalse();
    assertThat(PinRules.isSimple("1".toCharArray())).isFalse();
    assertThat(check("aaaa", OPEN).passed()).isTrue();
  }

  // ---- length and classes -------------------------------------------------------------------

  @Test
  void lengthBoundsAreInclusive() {
    PinPolicy p = new PinPolicy(6, 8, CharClassRule.ALLOWED, CharClassRule.ALLOWED, CharClassRule.ALLOWED,
        CharClassRule.ALLOWED, 0, 0);
    assertThat(check("18726", p).violations()).containsExactly(new PinViolation.TooShort(6));
    assertThat(check("187265", p).passed()).isTrue();
    assertThat(check("18726543", p).passed()).isTrue();
    assertThat(check("187265439", p).violations()).containsExactly(new PinViolation.TooLong(8));
  }

  @Test
  void requiredClassesMustAppear() {
    PinPolicy p = new PinPolicy(4, 127, CharClassRule.REQUIRED, CharClassRule.REQUIRED, CharClassRule.REQUIRED,
        CharClassRule.REQUIRED, 0, 0);
    assertThat(check("aB3!", p).passed()).isTrue();
    assertThat(check("abcd", p).violations()).containsExactly(
        new PinViolation.MissingClass(CharClass.DIGITS),
        new PinViolation.MissingClass(CharClass.UPPERCASE),
        new PinViolation.MissingClass(CharClass.SPECIAL));
  }

  @Test
  void disallowedClassesMustNotAppear() {
    PinPolicy p = new PinPolicy(4, 127, CharClassRule.ALLOWED, CharClassRule.DISALLOWED, CharClassRule.DISALLOWED,
        CharClassRule.DISALLOWED, 0, 0);
    assertThat(check("1872", p).passed()).isTrue();
    assertThat(check("18a7Z#", p).violations()).containsExactly(
        new PinViolation.DisallowedClass(CharClass.LOWERCASE),
        new PinViolation.DisallowedClass(CharClass.UPPERCASE),
        new PinViolation.DisallowedClass(CharClass.SPECIAL));
  }

  @Test
  void theWindows2019DefaultsAreDigitsOnly() {
    PinPolicy p = new PinPolicy(4, 127, CharClassRule.REQUIRED, CharClassRule.DISALLOWED,
        CharClassRule.DISALLOWED, CharClassRule.DISALLOWED, 0, 0);
    assertThat(check("1872", p).passed()).isTrue();
    assertThat(check("abcd", p).violations()).containsExactly(
        new PinViolation.MissingClass(CharClass.DIGITS), new PinViolation.DisallowedClass(CharClass.LOWERCASE));
  }

  @Test
  void everyOneOfThe32SpecialsIsSpecialAndNothingElseIs() {
    assertThat(CharClass.SPECIAL_CHARACTERS).hasSize(32);
    int specials = 0;
    for (char c = 0; c < 0x100; c++) {
      boolean listed = CharClass.SPECIAL_CHARACTERS.indexOf(c) >= 0;
      assertThat(CharClass.of(c).filter(k -> k == CharClass.SPECIAL).isPresent()).as("char %d", (int) c)
          .isEqualTo(listed);
      specials += listed ? 1 : 0;
    }
    assertThat(specials).isEqualTo(32);
    assertThat(CharClass.of(' ')).isEmpty();
    assertThat(CharClass.of('\u007f')).isEmpty();
  }

  @ParameterizedTest(name = "unsupported character in \"{0}\"")
  // a control character (a tab, NUL, ESC) never makes a Pin at all (PinTest), so no rule sees it
  @ValueSource(strings = {"18 72", "pïn-18", "1872€", "18\u00a072"})
  void charactersOutsideTheClassesAreRefusedWhateverThePolicy(String pin) {
    assertThat(check(pin, OPEN).violations()).containsExactly(new PinViolation.UnsupportedCharacter());
  }

  @Test
  void everyUnmetRuleIsListedAtOnceInAFixedOrder() {
    PinPolicy p = new PinPolicy(8, 10, CharClassRule.REQUIRED, CharClassRule.DISALLOWED, CharClassRule.REQUIRED,
        CharClassRule.REQUIRED, 0, 0);
    PinCheck c = check("ab c", p);
    assertThat(c.violations()).containsExactly(
        new PinViolation.TooShort(8),
        new PinViolation.MissingClass(CharClass.DIGITS),
        new PinViolation.MissingClass(CharClass.UPPERCASE),
        new PinViolation.MissingClass(CharClass.SPECIAL),
        new PinViolation.DisallowedClass(CharClass.LOWERCASE),
        new PinViolation.UnsupportedCharacter());
    assertThat(c.describe()).startsWith("The PIN does not meet 6 rules")
        .contains("at least 8 characters", "digits (0-9)", "upper-case letters (A-Z)", "special characters",
            "Do not use lower-case letters", "no spaces");
    assertThat(c.describe().lines().count()).isEqualTo(7);
  }

  @Test
  void simpleAndTooShortBothShow() {
    assertThat(check("1234", PinPolicy.defaults()).violations())
        .containsExactly(new PinViolation.TooShort(6), new PinViolation.SimplePin());
  }

  @Test
  void violationsHaveStableIds() {
    List<PinViolation> all = List.of(new PinViolation.TooShort(6), new PinViolation.TooLong(8),
        new PinViolation.MissingClass(CharClass.DIGITS), new PinViolation.DisallowedClass(CharClass.DIGITS),
        new PinViolation.UnsupportedCharacter(), new PinViolation.SimplePin(), new PinViolation.Reused(3));
    assertThat(all).extracting(PinViolation::id).containsExactly("too-short", "too-long", "class-required",
        "class-not-allowed", "unsupported-character", "simple-pattern", "reused");
    assertThat(new PinViolation.Reused(1).message()).contains("current PIN");
    assertThat(new PinViolation.Reused(3).message()).contains("the 2 before it");
  }

  @Test
  void requirePassedThrowsTheListAsBadInput() {
    PinCheck c = check("1234", PinPolicy.defaults());
    assertThatThrownBy(c::requirePassed)
        .isInstanceOfSatisfying(PinRulesException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.PIN_RULES_UNMET);
          assertThat(e.code().badInput()).isTrue();
          assertThat(e.violations()).isEqualTo(c.violations());
        })
        .hasMessageContaining("at least 6 characters")
        .hasMessageContaining("simple pattern");
  }

  @Test
  void aPassingCheckHasNoTextAndDoesNotThrow() throws Exception {
    PinCheck c = check("187265", PinPolicy.defaults());
    assertThat(c.passed()).isTrue();
    assertThat(c.describe()).isEmpty();
    c.requirePassed();
  }

  @Test
  void theCheckLeavesThePinAsItWas() {
    try (Pin pin = TestPins.pin("ab c")) {
      PinRules.check(pin, PinPolicy.defaults());
      assertThat(pin.isDestroyed()).isFalse();
      String after = pin.withChars(InsecureSecretAccess.get(), String::new);
      assertThat(after).isEqualTo("ab c");
    }
  }
}
