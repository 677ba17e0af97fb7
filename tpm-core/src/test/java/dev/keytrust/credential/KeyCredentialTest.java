package dev.keytrust.credential;

import static dev.keytrust.credential.Blobs.concat;
import static dev.keytrust.credential.Blobs.entry;
import static dev.keytrust.credential.Blobs.hex;
import static dev.keytrust.credential.Blobs.v2;
import static dev.keytrust.credential.Blobs.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Entry types, versions and framing errors, on hand-made blobs. */
class KeyCredentialTest {
  private static final byte[] AD = {0};
  private static final byte[] AZURE = {1};
  /** FILETIME 131734027581684545 = 2018-06-13T22:32:38.1684545Z (UserKey1). */
  private static final byte[] FILETIME_2018 = hex("417BD66E6603D401");

  private static KeyCredential parse(byte[] blob) throws KeyCredentialFormatException {
    KeyCredential kc = KeyCredential.parse(blob);
    assertThat(kc.toByteArray()).as("round trip").isEqualTo(blob);
    assertThat(kc.roundTripIdentical()).isTrue();
    return kc;
  }

  private static KeyCredentialFormatException malformed(byte[] blob) {
    try {
      KeyCredential.parse(blob);
    } catch (KeyCredentialFormatException e) {
      assertThat(e.code()).isEqualTo(CoreErrorCode.KEY_CREDENTIAL_MALFORMED);
      assertThat(e.getMessage()).contains("at byte " + e.offset());
      return e;
    }
    throw new AssertionError("parsed although malformed: " + Arrays.toString(blob));
  }

  @Test
  void theEntryCountIsBoundedAndTheOffsetNamesTheFirstEntryTooMany() throws Exception {
    byte[] atBound = new byte[4 + 3 * KeyCredential.MAX_ENTRIES];
    atBound[1] = 2; // version 0x200, then empty entries of id 0
    assertThat(KeyCredential.parse(atBound).entries()).hasSize(KeyCredential.MAX_ENTRIES);
    byte[] tooMany = java.util.Arrays.copyOf(atBound, atBound.length + 3);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyCredential.parse(tooMany))
        .isInstanceOfSatisfying(KeyCredentialFormatException.class,
            e -> assertThat(e.offset()).isEqualTo(atBound.length))
        .hasMessageContaining("more than 64 entries");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyCredential.parse(atBound).requireKey())
        .isInstanceOfSatisfying(KeyCredentialFormatException.class,
            e -> assertThat(e.offset()).isEqualTo(atBound.length))
        .hasMessageContaining("no KeyID and no KeyMaterial");
  }

  @Test
  void versionOnlyBlobHasNoEntries() throws Exception {
    KeyCredential kc = parse(version(0x200));

    assertThat(kc.version()).isEqualTo(KeyCredential.VERSION_2);
    assertThat(kc.entries()).isEmpty();
    assertThat(kc.keyId()).isEmpty();
    assertThat(kc.keyHashValid()).isEmpty();
    assertThat(kc.keyIdMatchesKeyMaterial()).isEmpty();
    assertThat(kc.keyMaterial()).isEmpty();
    assertThat(kc.usage()).isEmpty();
    assertThat(kc.source()).isEmpty();
    assertThat(kc.creationTime()).isEmpty();
    assertThat(kc.weakKey()).isEmpty();
  }

  @Test
  void keyIdAndKeyHashAreCheckedAndReportedNotFixed() throws Exception {
    byte[] material = "not a key".getBytes(StandardCharsets.US_ASCII);
    byte[] rest = concat(entry(3, material), entry(4, new byte[] {1}));
    byte[] goodHash = MessageDigest.getInstance("SHA-256").digest(rest);
    byte[] goodId = MessageDigest.getInstance("SHA-256").digest(material);
    byte[] badHash = goodHash.clone();
    badHash[0] ^= 1;

    KeyCredential good = parse(v2(entry(1, goodId), entry(2, goodHash), rest));
    KeyCredential bad = parse(v2(entry(1, new byte[16]), entry(2, badHash), rest));

    assertThat(good.keyHashValid()).contains(true);
    assertThat(good.keyIdMatchesKeyMaterial()).contains(true);
    assertThat(bad.keyHashValid()).contains(false);
    assertThat(bad.keyIdMatchesKeyMaterial()).contains(false);
    assertThat(bad.keyHash().orElseThrow()).isEqualTo(badHash);
    assertThat(bad.keyId().orElseThrow()).hasSize(16);
    assertThat(good.keyMaterial().orElseThrow()).isInstanceOf(UnknownKeyMaterial.class);
  }

  @Test
  void keyHashCoversExactlyTheBytesAfterItsEntry() throws Exception {
    byte[] after = entry(0x63, hex("0102"));
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(after);
    // an entry before KeyHash is not covered
    KeyCredential kc = parse(v2(entry(0x50, hex("FF")), entry(2, hash), after));

    assertThat(kc.keyHashValid()).contains(true);
    assertThat(kc.keyIdMatchesKeyMaterial()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"0,ADMIN_KEY", "1,NGC", "2,STK", "3,BITLOCKER_RECOVERY", "4,OTHER", "7,FIDO", "8,FEK", "9,DPAPI",
      "5,UNKNOWN", "66,UNKNOWN", "255,UNKNOWN"})
  void keyUsageKeepsItsCode(int code, KeyUsage usage) throws Exception {
    KeyCredential kc = parse(v2(entry(4, new byte[] {(byte) code})));

    assertThat(kc.usageCode()).hasValue(code);
    assertThat(kc.usage()).contains(usage);
    if (usage != KeyUsage.UNKNOWN) {
      assertThat(KeyUsage.fromCode(code).code()).isEqualTo(code);
    }
  }

  @Test
  void legacyStringUsageIsUnknownWithoutACode() throws Exception {
    KeyCredential kc = parse(v2(entry(4, "NGC".getBytes(StandardCharsets.UTF_8))));

    assertThat(kc.usage()).contains(KeyUsage.UNKNOWN);
    assertThat(kc.usageCode()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"0,AD", "1,AZURE_AD", "2,UNKNOWN", "200,UNKNOWN"})
  void keySourceKeepsItsCode(int code, KeySource source) throws Exception {
    KeyCredential kc = parse(v2(entry(5, new byte[] {(byte) code})));

    assertThat(kc.sourceCode()).hasValue(code);
    assertThat(kc.source()).contains(source);
  }

  @Test
  void deviceIdUsesMicrosoftGuidByteOrder() throws Exception {
    KeyCredential kc = parse(v2(entry(6, hex("E377F547D0D20A4A8ACAE0501098BDE4"))));

    assertThat(kc.deviceId()).contains(UUID.fromString("47f577e3-d2d0-4a0a-8aca-e0501098bde4"));
    assertThat(DeviceIds.toMicrosoftBytes(kc.deviceId().orElseThrow()))
        .isEqualTo(hex("E377F547D0D20A4A8ACAE0501098BDE4"));
  }

  @ParameterizedTest(name = "entry {0} with {1} bytes")
  @CsvSource({"5,0", "5,2", "6,15", "6,17", "8,7", "8,9", "9,4", "9,0"})
  void fixedSizeEntriesOfTheWrongSizeAreErrorsAtTheirOffset(int id, int length) {
    byte[] blob = v2(entry(4, new byte[] {1}), entry(id, new byte[length]));

    KeyCredentialFormatException e = malformed(blob);

    assertThat(e.offset()).isEqualTo(8);
  }

  @Test
  void unknownAndDuplicateEntriesAreKeptInOrderAndTheFirstCounts() throws Exception {
    byte[] blob = v2(
        entry(5, AZURE), entry(0x63, hex("CAFE")), entry(5, AD), entry(0, new byte[0]), entry(4, new byte[] {2}));

    KeyCredential kc = parse(blob);

    assertThat(kc.entryIds()).containsExactly(5, 0x63, 5, 0, 4);
    assertThat(kc.source()).contains(KeySource.AZURE_AD);
    assertThat(kc.unknownEntries()).extracting(KeyCredentialEntry::id).containsExactly(0x63, 0);
    assertThat(kc.unknownEntries().get(0).value()).isEqualTo(hex("CAFE"));
    assertThat(kc.unknownEntries().get(0).offset()).isEqualTo(8);
    assertThat(kc.entries().get(0).type()).contains(EntryType.KEY_SOURCE);
    assertThat(kc.unknownEntries().get(1).type()).isEmpty();
  }

  @Test
  void keySourceAfterTheTimestampsStillSelectsTheirEncoding() throws Exception {
    // 7A9DBAB3B32AD548: .NET ToBinary, kind UTC, 2017-11-13T16:29:24.5657466Z (UserKey2)
    byte[] toBinary = hex("7A9DBAB3B32AD548");
    KeyCredential kc = parse(v2(entry(9, toBinary), entry(5, AZURE)));

    assertThat(kc.timestampEncoding()).isEqualTo(TimestampEncoding.DOTNET_TO_BINARY);
    assertThat(kc.creationTime()).contains(Instant.parse("2017-11-13T16:29:24.5657466Z"));
  }

  @Test
  void withoutKeySourceVersion2TimestampsAreFiletime() throws Exception {
    KeyCredential kc = parse(v2(entry(8, FILETIME_2018), entry(9, FILETIME_2018)));

    assertThat(kc.source()).isEmpty();
    assertThat(kc.timestampEncoding()).isEqualTo(TimestampEncoding.FILETIME);
    assertThat(kc.creationTime()).contains(Instant.parse("2018-06-13T22:32:38.1684545Z"));
    assertThat(kc.lastLogonTime()).isEqualTo(kc.creationTime());
  }

  @Test
  void version1UsesToBinaryEvenWithSourceAd() throws Exception {
    // 08F834F16EB0DA48 = 2022-10-17T18:39:36.6018056Z (webauthn-interop DeviceKey4)
    byte[] blob = concat(version(0x100), entry(5, AD), entry(8, new byte[8]), entry(9, hex("08F834F16EB0DA48")));

    KeyCredential kc = parse(blob);

    assertThat(kc.version()).isEqualTo(KeyCredential.VERSION_1);
    assertThat(kc.timestampEncoding()).isEqualTo(TimestampEncoding.DOTNET_TO_BINARY);
    assertThat(kc.creationTime()).contains(Instant.parse("2022-10-17T18:39:36.6018056Z"));
    assertThat(kc.lastLogonTime()).isEmpty();
  }

  @Test
  void version0EntriesAreFourByteAlignedAndPaddingIsKeptExactly() throws Exception {
    // .NET ticks 636645259581684545 (FILETIME + 504911232000000000) = 2018-06-13T22:32:38.1684545Z
    byte[] ticks = Bytes.int64le(636_645_259_581_684_545L);
    byte[] blob = concat(version(0),
        entry(4, new byte[] {1}), hex("ABCDEF"), // 1 byte value + 3 padding (not zero: kept as found)
        entry(0x40, hex("0102030405")), hex("000000"),
        entry(9, ticks), // 8 bytes, no padding
        entry(7, hex("0100")), hex("00")); // blob ends inside the last padding (DSInternals accepts it)

    KeyCredential kc = parse(blob);

    assertThat(kc.version()).isEqualTo(KeyCredential.VERSION_0);
    assertThat(kc.entryIds()).containsExactly(4, 0x40, 9, 7);
    assertThat(kc.entries().get(1).offset()).isEqualTo(4 + 4 + 3);
    assertThat(kc.timestampEncoding()).isEqualTo(TimestampEncoding.DOTNET_TICKS);
    assertThat(kc.creationTime()).contains(Instant.parse("2018-06-13T22:32:38.1684545Z"));
    assertThat(kc.customKeyInformation().orElseThrow().encoded()).isEqualTo(hex("0100"));
  }

  @Test
  void version0KeyHashStartsAfterTheAlignmentBytes() throws Exception {
    byte[] after = concat(entry(4, new byte[] {1}), hex("000000"));
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(after);
    KeyCredential kc = parse(concat(version(0), entry(2, hash), after));

    assertThat(kc.keyHashValid()).contains(true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"01000000", "00030000", "FFFFFFFF", "00020001", "02000000"})
  void unknownVersionsAreErrorsAtByteZero(String version) {
    KeyCredentialFormatException e = malformed(hex(version));

    assertThat(e.offset()).isZero();
    assertThat(e.getMessage()).contains("unsupported version");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "00", "0002", "000200"})
  void blobsShorterThanTheVersionAreErrors(String blob) {
    assertThat(malformed(hex(blob)).offset()).isZero();
  }

  @Test
  void nullIsAnError() {
    assertThatThrownBy(() -> KeyCredential.parse(null)).isInstanceOf(KeyCredentialFormatException.class);
  }

  @Test
  void truncatedEntryHeaderIsReportedWhereItStarts() {
    byte[] blob = concat(v2(entry(4, new byte[] {1})), hex("0100"));

    KeyCredentialFormatException e = malformed(blob);

    assertThat(e.offset()).isEqualTo(8);
    assertThat(e.getMessage()).contains("entry header");
  }

  @Test
  void valueLengthPastTheEndIsReportedAtTheEntry() {
    byte[] blob = concat(v2(entry(4, new byte[] {1})), hex("1B0103"), new byte[200]);

    KeyCredentialFormatException e = malformed(blob);

    assertThat(e.offset()).isEqualTo(8);
    assertThat(e.getMessage()).contains("entry 0x03 declares 283 value bytes but only 200 remain");
  }

  @Test
  void parseCopiesItsInputAndAccessorsReturnCopies() throws Exception {
    byte[] blob = Blobs.hex(Blobs.USER_KEY_1);
    KeyCredential kc = KeyCredential.parse(blob);
    byte[] keep = blob.clone();
    blob[10] ^= 1;
    kc.keyId().orElseThrow()[0] ^= 1;
    kc.entries().get(0).value()[0] ^= 1;
    kc.keyMaterial().orElseThrow().encoded()[0] ^= 1;

    assertThat(kc.toByteArray()).isEqualTo(keep);
    assertThat(kc.keyIdMatchesKeyMaterial()).contains(true);
    assertThat(KeyCredential.parse(keep)).isEqualTo(kc).hasSameHashCodeAs(kc);
  }

  @Test
  void toStringShowsPublicFactsOnly() throws Exception {
    KeyCredential kc = KeyCredential.parse(Blobs.hex(Blobs.USER_KEY_1));

    assertThat(kc.toString())
        .contains("version=0x200", "20717AE0", "NGC", "[1, 2, 3, 4, 5, 6, 7, 8, 9]");
  }

  @Test
  void dnBinaryOfAParsedValue() throws Exception {
    byte[] blob = v2(entry(4, new byte[] {1}));

    DnBinary dnb = KeyCredential.parse(blob).toDnBinary("CN=PC01,DC=example,DC=com");

    assertThat(dnb.format()).isEqualTo("B:16:0002000001000401:CN=PC01,DC=example,DC=com");
  }

  @Test
  void realUserKey3IsRocaWeakAndStillRoundTrips() throws Exception {
    KeyCredential kc = parse(Blobs.extra("dsinternals/KeyCredential_Parse_UserKey3"));

    assertThat(kc.weakKey()).contains(true);
    assertThat(kc.source()).contains(KeySource.AZURE_AD);
    assertThat(kc.keyHashValid()).contains(true);
    assertThat(kc.customKeyInformation().orElseThrow().encoded()).isEqualTo(hex("0100000000"));
    assertThat(kc.lastLogonTime()).as("08:00 placeholder").isEmpty();
    assertThat(kc.deviceId()).contains(UUID.fromString("fd591087-245c-4ff5-a5ea-c14de5e2b32d"));
  }

  @Test
  void realNonMfaComputerKeyHasPkcs1MaterialAndCki0102() throws Exception {
    KeyCredential kc = parse(Blobs.extra("dsinternals/KeyCredential_Parse_NonMFAKey"));

    assertThat(kc.keyMaterial().orElseThrow().format()).isEqualTo(KeyMaterialFormat.PKCS1_RSA_PUBLIC_KEY);
    assertThat(kc.customKeyInformation().orElseThrow().hasFlag(CustomKeyInformation.FLAG_MFA_NOT_USED)).isTrue();
    assertThat(kc.weakKey()).contains(false);
    assertThat(kc.keyIdMatchesKeyMaterial()).contains(true);
    assertThat(kc.deviceId()).isEmpty();
  }
}
