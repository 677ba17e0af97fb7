package dev.keytrust.credential;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** FILETIME, .NET ToBinary and .NET ticks, with the "never" placeholders. */
class TimestampsTest {

  private static long le(String hex) {
    return Bytes.readInt64le(Blobs.hex(hex), 0);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    // UserKey1 (AD, v2)
    "FILETIME, 417BD66E6603D401, 2018-06-13T22:32:38.1684545Z",
    // UserKey2 (AzureAD): kind UTC
    "DOTNET_TO_BINARY, 7A9DBAB3B32AD548, 2017-11-13T16:29:24.5657466Z",
    // DeviceKey4 (v1)
    "DOTNET_TO_BINARY, 08F834F16EB0DA48, 2022-10-17T18:39:36.6018056Z",
    // the same ticks with kind Unspecified (bits 62-63 = 00)
    "DOTNET_TO_BINARY, 08F834F16EB0DA08, 2022-10-17T18:39:36.6018056Z",
    // .NET ticks without kind bits (version 0)
    "DOTNET_TICKS, 08F834F16EB0DA08, 2022-10-17T18:39:36.6018056Z",
    // FILETIME 1: the first 100 ns after 1601
    "FILETIME, 0100000000000000, 1601-01-01T00:00:00.0000001Z",
  })
  void decodesWithFullPrecision(TimestampEncoding encoding, String hex, String expected) {
    assertThat(Timestamps.decode(le(hex), encoding)).contains(Instant.parse(expected));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "FILETIME, 0000000000000000",
    "DOTNET_TO_BINARY, 0000000000000040", // MinValue, kind UTC
    "DOTNET_TO_BINARY, 0000000000000000", // all zero
    "DOTNET_TO_BINARY, 0040230E43000040", // 0001-01-01T08:00, kind UTC
    "DOTNET_TICKS, 0000000000000000",
  })
  void placeholdersMeanNever(TimestampEncoding encoding, String hex) {
    assertThat(Timestamps.decode(le(hex), encoding)).isEmpty();
  }

  @Test
  void localKindTicksThatWrappedBelowZeroAreUnwrapped() {
    // DateTime.ToBinary of a Local time whose UTC ticks are -1 day: stored as TicksCeiling - 1 day
    long ticks = Timestamps.DOTNET_TICKS_CEILING - Timestamps.TICKS_PER_DAY / 2;
    long raw = ticks | 0x8000_0000_0000_0000L;

    assertThat(Timestamps.decode(raw, TimestampEncoding.DOTNET_TO_BINARY))
        .contains(Instant.parse("0000-12-31T12:00:00Z"));
  }

  @Test
  void encodingIsChosenByVersionAndSource() {
    assertThat(Timestamps.encodingFor(0x200, OptionalInt.of(0))).isEqualTo(TimestampEncoding.FILETIME);
    assertThat(Timestamps.encodingFor(0x200, OptionalInt.empty())).isEqualTo(TimestampEncoding.FILETIME);
    assertThat(Timestamps.encodingFor(0x200, OptionalInt.of(1))).isEqualTo(TimestampEncoding.DOTNET_TO_BINARY);
    assertThat(Timestamps.encodingFor(0x200, OptionalInt.of(9))).isEqualTo(TimestampEncoding.DOTNET_TO_BINARY);
    assertThat(Timestamps.encodingFor(0x100, OptionalInt.of(0))).isEqualTo(TimestampEncoding.DOTNET_TO_BINARY);
    assertThat(Timestamps.encodingFor(0, OptionalInt.of(0))).isEqualTo(TimestampEncoding.DOTNET_TICKS);
  }

  @Test
  void encodersRoundTripAndDropDigitsBelow100Nanoseconds() {
    Instant t = Instant.parse("2026-11-25T18:20:24.123456789Z");
    Instant truncated = Instant.parse("2026-11-25T18:20:24.1234567Z");

    long ft = Timestamps.toFileTime(t).orElseThrow();
    long bin = Timestamps.toDotnetBinaryUtc(t).orElseThrow();

    assertThat(Timestamps.decode(ft, TimestampEncoding.FILETIME)).contains(truncated);
    assertThat(Timestamps.decode(bin, TimestampEncoding.DOTNET_TO_BINARY)).contains(truncated);
    assertThat(bin >>> 62).as("kind UTC").isEqualTo(1);
    assertThat(Bytes.int64le(Timestamps.toFileTime(Instant.parse("2018-06-13T22:32:38.1684545Z")).orElseThrow()))
        .isEqualTo(Blobs.hex("417BD66E6603D401"));
    assertThat(Bytes.int64le(
        Timestamps.toDotnetBinaryUtc(Instant.parse("2017-11-13T16:29:24.5657466Z")).orElseThrow()))
        .isEqualTo(Blobs.hex("7A9DBAB3B32AD548"));
  }

  @Test
  void encodersRefuseTimesOutsideTheirRange() {
    assertThat(Timestamps.toFileTime(Instant.parse("1600-12-31T23:59:59Z"))).isEmpty();
    assertThat(Timestamps.toFileTime(Instant.parse("1601-01-01T00:00:00Z"))).as("FILETIME 0").isEmpty();
    assertThat(Timestamps.toFileTime(Instant.MAX)).isEmpty();
    assertThat(Timestamps.toDotnetBinaryUtc(Instant.parse("+10000-01-01T00:00:00Z"))).isEmpty();
    assertThat(Timestamps.toDotnetBinaryUtc(Instant.parse("9999-12-31T23:59:59.9999999Z"))).isPresent();
    assertThat(Timestamps.toDotnetBinaryUtc(Instant.MIN)).isEmpty();
  }
}
