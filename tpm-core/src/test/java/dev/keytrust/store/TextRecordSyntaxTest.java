package dev.keytrust.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written syntax checks of {@link TextRecord} and {@link UserNames} accept exactly what
 * the regular expressions they replaced accept: every string of up to four characters over an
 * alphabet of each character class's edges (and some beyond), plus longer ones at the length
 * limits.
 */
class TextRecordSyntaxTest {
  private static final String ALPHABET = "AZaz09-1f9g.F\u00e9\u2028";

  private static List<String> strings(String alphabet, int maxLength) {
    List<String> out = new ArrayList<>();
    out.add("");
    List<String> level = List.of("");
    for (int n = 1; n <= maxLength; n++) {
      List<String> next = new ArrayList<>();
      for (String s : level) {
        for (char c : alphabet.toCharArray()) {
          next.add(s + c);
        }
      }
      out.addAll(next);
      level = next;
    }
    return out;
  }

  private static List<String> samples() {
    List<String> all = strings(ALPHABET, 4);
    for (int n : new int[] {8, 9, 10, 18, 19, 20, 63, 64, 65}) {
      all.add("1".repeat(n));
      all.add("9" + "0".repeat(n - 1));
      all.add("-" + "1".repeat(n));
      all.add("a".repeat(n));
      all.add("f".repeat(n - 1) + "g");
      all.add("0".repeat(n - 1) + "A");
    }
    return all;
  }

  @Test
  void fieldNamesVersionsHexAndNumbersAsTheirPatterns() {
    Pattern name = Pattern.compile("[A-Za-z][A-Za-z0-9-]*");
    Pattern version = Pattern.compile("[1-9][0-9]{0,8}");
    Pattern hex64 = Pattern.compile("[0-9a-f]{64}");
    Pattern decimal = Pattern.compile("0|-?[1-9][0-9]{0,18}");
    for (String s : samples()) {
      assertThat(TextRecord.isFieldName(s)).as("name %s", s).isEqualTo(name.matcher(s).matches());
      assertThat(TextRecord.isVersion(s)).as("version %s", s).isEqualTo(version.matcher(s).matches());
      assertThat(TextRecord.isHex64(s)).as("hex %s", s).isEqualTo(hex64.matcher(s).matches());
      assertThat(TextRecord.isDecimal(s)).as("decimal %s", s).isEqualTo(decimal.matcher(s).matches());
    }
  }

  @Test
  void recordsStillRoundTrip() throws Exception {
    byte[] data = new TextRecord.Writer("keytrust-test", 3).text("a-b", "x").number("n", -42)
        .hex("h", new byte[] {1, 2}).sealSha256();
    TextRecord r = TextRecord.parse(data, "keytrust-test", 3);
    assertThat(r.sha256Matches()).isTrue();
    assertThat(r.number("n", -100, 100)).isEqualTo(-42);
    assertThat(r.text("a-b")).isEqualTo("x");
  }

  @Test
  void directoryNamesAreTheSameWhenAskedAgain() throws Exception {
    for (String user : List.of("alice", "con", "LAB\\bob", "alice", ".x.", "alice", "com1.txt", "con")) {
      String first = UserNames.directoryName(user);
      assertThat(UserNames.directoryName(new String(user.toCharArray()))).isEqualTo(first);
    }
    assertThat(UserNames.directoryName("con")).isEqualTo("%63on");
    assertThat(UserNames.directoryName("alice")).isEqualTo("alice");
  }
}
