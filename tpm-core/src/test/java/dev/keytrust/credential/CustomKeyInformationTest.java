package dev.keytrust.credential;

import static dev.keytrust.credential.Blobs.entry;
import static dev.keytrust.credential.Blobs.hex;
import static dev.keytrust.credential.Blobs.v2;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Every CustomKeyInformation shape of spec §8, read through a parsed blob. */
class CustomKeyInformationTest {

  private static CustomKeyInformation cki(String hex) throws Exception {
    KeyCredential kc = KeyCredential.parse(v2(entry(7, hex(hex))));
    assertThat(kc.toByteArray()).isEqualTo(v2(entry(7, hex(hex))));
    return kc.customKeyInformation().orElseThrow();
  }

  @Test
  void twoBytesVersionAndFlags() throws Exception {
    CustomKeyInformation c = cki("0102");

    assertThat(c.version()).hasValue(1);
    assertThat(c.flags()).hasValue(CustomKeyInformation.FLAG_MFA_NOT_USED);
    assertThat(c.hasFlag(CustomKeyInformation.FLAG_MFA_NOT_USED)).isTrue();
    assertThat(c.hasFlag(CustomKeyInformation.FLAG_ATTESTATION)).isFalse();
    assertThat(c.volumeType()).isEmpty();
    assertThat(c.keyStrength()).isEmpty();
    assertThat(c.reserved()).isEmpty();
    assertThat(c.extendedInfo()).isEmpty();
    assertThat(c.isShort()).isFalse();
    assertThat(c).isEqualTo(CustomKeyInformation.ofFlags(2));
  }

  @Test
  void oneByteIsReportedNotThrown() throws Exception {
    // keycred TestValidateStrictFail: CKI value FF
    CustomKeyInformation c = cki("FF");

    assertThat(c.isShort()).isTrue();
    assertThat(c.version()).hasValue(0xFF);
    assertThat(c.flags()).isEmpty();
    assertThat(c.hasFlag(CustomKeyInformation.FLAG_ATTESTATION)).isFalse();
  }

  @Test
  void emptyValueHasNoFields() throws Exception {
    CustomKeyInformation c = cki("");

    assertThat(c.isShort()).isTrue();
    assertThat(c.version()).isEmpty();
    assertThat(c.reserved()).isEmpty();
  }

  @Test
  void fourFiveAndSixByteEntraShapesReadTheFieldsThatArePresent() throws Exception {
    CustomKeyInformation four = cki("01000000"); // UserKey4
    CustomKeyInformation five = cki("0100000000"); // UserKey3
    CustomKeyInformation six = cki("010000010000"); // UserKey2

    assertThat(four.volumeType()).hasValue(0);
    assertThat(four.supportsNotification()).hasValue(0);
    assertThat(four.fekKeyVersion()).isEmpty();
    assertThat(five.fekKeyVersion()).hasValue(0);
    assertThat(five.keyStrength()).isEmpty();
    assertThat(six.supportsNotification()).hasValue(1);
    assertThat(six.keyStrength()).hasValue(0);
    assertThat(six.reserved()).isEmpty();
  }

  @Test
  void fifteenBytesHaveNineReservedBytes() throws Exception {
    // UserKey5: KeyStrength normal, Entra writes 9 reserved bytes instead of 10
    CustomKeyInformation c = cki("010000000002000000000000000000");

    assertThat(c.keyStrength()).hasValue(2);
    assertThat(c.reserved()).hasSize(9);
    assertThat(c.extendedInfo()).isEmpty();
  }

  @Test
  void sixteenBytesAreTheFullStructureAndTheRestIsExtended() throws Exception {
    CustomKeyInformation full = cki("0101010100010000000000000000000A");
    CustomKeyInformation extended = cki("01010101000100000000000000000000" + "0002A1F5");

    assertThat(full.flags()).hasValue(CustomKeyInformation.FLAG_ATTESTATION);
    assertThat(full.volumeType()).hasValue(1);
    assertThat(full.reserved()).hasSize(10).endsWith(0x0A);
    assertThat(full.extendedInfo()).isEmpty();
    assertThat(extended.extendedInfo()).isEqualTo(hex("0002A1F5"));
    assertThat(extended.length()).isEqualTo(20);
  }

  @Test
  void ofFlagsIsTheTwoByteForm() {
    assertThat(CustomKeyInformation.ofFlags(0).encoded()).isEqualTo(hex("0100"));
    assertThat(CustomKeyInformation.ofFlags(0).flags()).isEqualTo(OptionalInt.of(0));
    assertThat(CustomKeyInformation.ofFlags(2).toString()).isEqualTo("CustomKeyInformation[0102]");
  }

  @Test
  void theSpecificationLongFormIsSixteenBytesWithFekKeyVersion1AndTenReservedBytes() throws Exception {
    CustomKeyInformation c = CustomKeyInformation.specificationLongForm(0, 0, 0,
        CustomKeyInformation.KEY_STRENGTH_NORMAL);

    assertThat(c.encoded()).isEqualTo(hex("01000000010200000000000000000000"));
    assertThat(cki("01000000010200000000000000000000")).isEqualTo(c);
    assertThat(c.fekKeyVersion()).hasValue(1);
    assertThat(c.keyStrength()).hasValue(2);
    assertThat(c.reserved()).hasSize(10);
    assertThat(c.extendedInfo()).isEmpty();
    assertThat(c.isSpecificationForm()).isTrue();
  }

  @Test
  void entrasShortFormsAreReadButAreNotTheSpecificationsForms() throws Exception {
    // real write-back values (test vectors): 15 bytes with FekKeyVersion 0, and 4 and 6 bytes
    for (String hex : new String[] {"010000000002000000000000000000", "010000000000000000000000000000",
        "01000000", "010000010000", "FF"}) {
      assertThat(cki(hex).isSpecificationForm()).as(hex).isFalse();
    }
    assertThat(cki("0100").isSpecificationForm()).isTrue();
    // long form followed by an EncodedExtendedCKI (version 0, size 1, one CBOR byte)
    assertThat(cki("01000000010200000000000000000000" + "0001F6").isSpecificationForm()).isTrue();
  }
}
