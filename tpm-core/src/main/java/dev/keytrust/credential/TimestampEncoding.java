package dev.keytrust.credential;

/**
 * How a credential encodes its LastLogon (0x08) and Creation (0x09) timestamps, chosen by version
 * and KeySource as Windows and DSInternals do: version 0x200 with KeySource AD (or no KeySource
 * entry) uses {@link #FILETIME}, version 0x200 with any other source and version 0x100 use {@link
 * #DOTNET_TO_BINARY}, version 0 uses {@link #DOTNET_TICKS}. All are 8 bytes, little-endian.
 */
public enum TimestampEncoding {
  /** 100-ns ticks since 1601-01-01T00:00Z (Windows FILETIME); 0 means "not set". */
  FILETIME,
  /**
   * .NET {@code DateTime.ToBinary()}: bits 62-63 the kind, bits 0-61 100-ns ticks since
   * 0001-01-01T00:00 (UTC for the kinds UTC and Local); ticks 0 (MinValue) and 0001-01-01T08:00
   * mean "never".
   */
  DOTNET_TO_BINARY,
  /** .NET {@code DateTime.Ticks}: 100-ns ticks since 0001-01-01T00:00, no kind bits. */
  DOTNET_TICKS
}
