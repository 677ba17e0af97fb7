package dev.keytrust.agent.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link UserRecord}'s hand-written name check accepts exactly what {@code [A-Za-z][A-Za-z0-9]*} does. */
class UserRecordNameTest {
  @Test
  void namesAsThePattern() {
    Pattern name = Pattern.compile("[A-Za-z][A-Za-z0-9]*");
    String alphabet = "AZaz09-_.@\u00e9";
    List<String> all = new ArrayList<>(List.of(""));
    List<String> level = List.of("");
    for (int n = 1; n <= 4; n++) {
      List<String> next = new ArrayList<>();
      for (String s : level) {
        for (char c : alphabet.toCharArray()) {
          next.add(s + c);
        }
      }
      all.addAll(next);
      level = next;
    }
    for (String s : all) {
      assertThat(UserRecord.isName(s)).as("name %s", s).isEqualTo(name.matcher(s).matches());
    }
  }

  @Test
  void controlCharactersAndBadNamesAreRefused() {
    assertThatThrownBy(() -> new UserRecord("journal", 1, Map.of("a", "x\u0085y")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
    assertThatThrownBy(() -> new UserRecord("journal", 1, Map.of("a-b", "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid record field name");
    assertThatThrownBy(() -> new UserRecord("1journal", 1, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid record format");
    assertThat(new UserRecord("journal", 1, Map.of("keyId", "AB\u00e9")).get("keyId")).isEqualTo("AB\u00e9");
  }
}
