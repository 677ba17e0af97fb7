package dev.keytrust.credential;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/** Timestamp encodings of key credentials (spec §9), with full 100-ns precision. */
final class Timestamps {
  static final long TICKS_PER_SECOND = 10_000_000L;
  /** Seconds from 1601-01-01T00:00Z to 1970-01-01T00:00Z. */
  static final long FILETIME_EPOCH_OFFSET_SECONDS = 11_644_473_600L;
  /** Seconds from 0001-01-01T00:00Z to 1970-01-01T00:00Z. */
  static final long DOTNET_EPOCH_OFFSET_SECONDS = 62_135_596_800L;
  static final long DOTNET_TICKS_MASK = 0x3FFF_FFFF_FFFF_FFFFL;
  static final long DOTNET_KIND_UTC = 0x4000_0000_0000_0000L;
  /** .NET DateTime.MaxValue.Ticks (9999-12-31T23:59:59.9999999). */
  static final long DOTNET_MAX_TICKS = 3_155_378_975_999_999_999L;
  /** .NET TicksCeiling, used by ToBinary for local times that wrapped below zero. */
  static final long DOTNET_TICKS_CEILING = 0x4000_0000_0000_0000L;
  static final long TICKS_PER_DAY = 864_000_000_000L;
  /** 0001-01-01T08:00: DateTime.MinValue after a UTC-8 conversion, seen as "never" in Entra keys. */
  static final long DOTNET_EIGHT_HOURS_TICKS = 8 * 3600 * TICKS_PER_SECOND;

  private Timestamps() {}

  static final int VERSION_0 = 0;
  static final int VERSION_1 = 0x100;

  /** The encoding that version and KeySource imply (an absent KeySource counts as AD). */
  static TimestampEncoding encodingFor(int version, OptionalInt sourceCode) {
    if (version == VERSION_0) {
      return TimestampEncoding.DOTNET_TICKS;
    }
    if (version == VERSION_1) {
      return TimestampEncoding.DOTNET_TO_BINARY;
    }
    boolean ad = sourceCode.isEmpty() || sourceCode.getAsInt() == KeySource.AD.code();
    return ad ? TimestampEncoding.FILETIME : TimestampEncoding.DOTNET_TO_BINARY;
  }

  /** The instant of a raw 8-byte value, empty for the "never" placeholders. */
  static Optional<Instant> decode(long raw, TimestampEncoding encoding) {
    switch (encoding) {
      case FILETIME:
        return raw == 0 ? Optional.empty() : Optional.of(fromTicks(raw, FILETIME_EPOCH_OFFSET_SECONDS));
      case DOTNET_TO_BINARY: {
        long ticks = raw & DOTNET_TICKS_MASK;
        boolean local = (raw & 0x8000_0000_0000_0000L) != 0;
        if (local && ticks > DOTNET_TICKS_CEILING - TICKS_PER_DAY) {
          ticks -= DOTNET_TICKS_CEILING; // DateTime.FromBinary: UTC ticks that went below zero
        }
        return dotnet(ticks);
      }
      case DOTNET_TICKS:
      default:
        return dotnet(raw);
    }
  }

  private static Optional<Instant> dotnet(long ticks) {
    if (ticks == 0 || ticks == DOTNET_EIGHT_HOURS_TICKS) {
      return Optional.empty();
    }
    return Optional.of(fromTicks(ticks, DOTNET_EPOCH_OFFSET_SECONDS));
  }

  private static Instant fromTicks(long ticks, long epochOffsetSeconds) {
    long seconds = Math.floorDiv(ticks, TICKS_PER_SECOND) - epochOffsetSeconds;
    long nanos = Math.floorMod(ticks, TICKS_PER_SECOND) * 100;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /**
   * 100-ns ticks of {@code t} since the epoch that lies {@code epochOffsetSeconds} before 1970
   * (sub-100-ns digits are dropped), or empty when they do not fit a positive long.
   */
  static Optional<Long> ticks(Instant t, long epochOffsetSeconds) {
    try {
      long seconds = Math.addExact(t.getEpochSecond(), epochOffsetSeconds);
      long ticks = Math.addExact(Math.multiplyExact(seconds, TICKS_PER_SECOND), t.getNano() / 100);
      return ticks > 0 ? Optional.of(ticks) : Optional.empty();
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }

  /** FILETIME of {@code t}, empty before 1601 or past the FILETIME range. */
  static Optional<Long> toFileTime(Instant t) {
    return ticks(t, FILETIME_EPOCH_OFFSET_SECONDS);
  }

  /** .NET {@code DateTime.ToBinary()} of {@code t} as a UTC DateTime, empty outside years 1-9999. */
  static Optional<Long> toDotnetBinaryUtc(Instant t) {
    return ticks(t, DOTNET_EPOCH_OFFSET_SECONDS)
        .filter(ticks -> ticks <= DOTNET_MAX_TICKS)
        .map(ticks -> ticks | DOTNET_KIND_UTC);
  }
}
