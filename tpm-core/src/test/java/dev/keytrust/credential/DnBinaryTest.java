package dev.keytrust.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DnBinaryTest {

  @Test
  void parsesUpperAndLowerHexAndFormatsUpper() throws Exception {
    DnBinary lower = DnBinary.parse("B:8:00020a0f:CN=PC01,DC=example,DC=com");
    DnBinary upper = DnBinary.parse("B:8:00020A0F:CN=PC01,DC=example,DC=com");

    assertThat(lower.binary()).containsExactly(0x00, 0x02, 0x0A, 0x0F);
    assertThat(lower).isEqualTo(upper);
    assertThat(lower.format()).isEqualTo("B:8:00020A0F:CN=PC01,DC=example,DC=com");
  }

  @Test
  void dnIsEverythingAfterTheThirdColonVerbatim() throws Exception {
    String dn = "CN = Admin: the boss,OU=a:b,DC=contoso,DC=com ";
    DnBinary v = DnBinary.parse("B:4:ABCD:" + dn);

    assertThat(v.dn()).isEqualTo(dn);
    assertThat(v.format()).isEqualTo("B:4:ABCD:" + dn);
    assertThat(DnBinary.parse(v.format())).isEqualTo(v);
  }

  @Test
  void formatCountsHexDigits() {
    DnBinary v = new DnBinary(new byte[] {1, 2, 3}, "CN=x");

    assertThat(v.format()).isEqualTo("B:6:010203:CN=x");
  }

  @Test
  void copiesTheBinaryBothWays() {
    byte[] in = {1, 2};
    DnBinary v = new DnBinary(in, "CN=x");
    in[0] = 9;
    v.binary()[1] = 9;

    assertThat(v.binary()).containsExactly(1, 2);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "count one too small          | B:7:00020A0F:CN=x   | 2",
        "count one too large          | B:10:00020A0F:CN=x  | 2",
        "empty binary with a count    | B:8::CN=x           | 4",
        "empty binary, count zero     | B:0::CN=x           | 2",
        "odd count                    | B:3:ABC:CN=x        | 2",
        "bad hex digit                | B:4:AB#D:CN=x       | 6",
        "non-ASCII digit              | B:4:AB\uFF11D:CN=x  | 6",
        "no B prefix                  | X:4:ABCD:CN=x       | 0",
        "lower-case prefix            | b:4:ABCD:CN=x       | 0",
        "count not a number           | B:x:ABCD:CN=x       | 2",
        "missing colon after count    | B:4                 | 3",
        "no DN part                   | B:4:ABCD            | 8",
        "empty DN                     | B:4:ABCD:           | 9",
        "huge count                   | B:99999999999:AB:CN | 2",
        "empty string                 | ''                  | 0",
      })
  void rejectsMalformedValuesWithTheCharacterOffset(String why, String value, int offset) {
    assertThatThrownBy(() -> DnBinary.parse(value))
        .isInstanceOfSatisfying(
            KeyCredentialFormatException.class,
            e -> {
              assertThat(e.code()).isEqualTo(CoreErrorCode.DN_BINARY_MALFORMED);
              assertThat(e.code().badInput()).isTrue();
              assertThat(e.offset()).isEqualTo(offset);
              assertThat(e.getMessage()).contains("character " + offset);
            });
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> DnBinary.parse(null))
        .isInstanceOf(KeyCredentialFormatException.class);
  }

  @Test
  void constructorRefusesAnEmptyBinary() {
    assertThatThrownBy(() -> new DnBinary(new byte[0], "CN=x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
