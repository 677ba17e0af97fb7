package dev.keytrust.credential;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.error.CoreErrorCode;
import java.util.HexFormat;

/**
 * What the property tests and the fuzz test demand of the parsers for any input: either a
 * {@link KeyCredentialFormatException} with the right code and an offset inside the input, or a
 * value that re-serialises to exactly the input and whose accessors all work. Any other throwable
 * (an AssertionError from here included) is a finding.
 */
final class ParserChecks {
  private ParserChecks() {}

  /**
   * Parses a blob: success round-trips byte for byte; failure is a KeyCredentialFormatException
   * (KEY_CREDENTIAL_MALFORMED) with a byte offset inside the blob.
   *
   * @return true if the blob parsed, false if it was rejected as malformed
   */
  static boolean checkBlob(byte[] blob) {
    KeyCredential kc;
    try {
      kc = KeyCredential.parse(blob);
    } catch (KeyCredentialFormatException e) {
      assertThat(e.code()).isEqualTo(CoreErrorCode.KEY_CREDENTIAL_MALFORMED);
      assertThat(e.offset()).isBetween(0, blob.length);
      assertThat(e.getMessage()).contains("byte " + e.offset());
      return false;
    } catch (Throwable t) {
      throw new AssertionError("KeyCredential.parse threw " + t + " for " + HexFormat.of().formatHex(blob), t);
    }
    assertThat(kc.toByteArray()).isEqualTo(blob);
    assertThat(kc.roundTripIdentical()).isTrue();
    touchEverything(kc);
    return true;
  }

  /** Every accessor of a parsed credential, which must not throw. */
  static void touchEverything(KeyCredential kc) {
    kc.entryIds();
    kc.unknownEntries();
    kc.keyId();
    kc.keyHash();
    kc.keyHashValid();
    kc.keyIdMatchesKeyMaterial();
    kc.keyMaterial().ifPresent(km -> {
      km.format();
      km.length();
      km.encoded();
      km.toString();
    });
    kc.weakKey();
    kc.usage();
    kc.usageCode();
    kc.source();
    kc.sourceCode();
    kc.deviceId();
    kc.customKeyInformation().ifPresent(c -> {
      c.version();
      c.flags();
      c.volumeType();
      c.supportsNotification();
      c.fekKeyVersion();
      c.keyStrength();
      c.reserved();
      c.extendedInfo();
      c.isShort();
      c.toString();
    });
    kc.timestampEncoding();
    kc.creationTime();
    kc.lastLogonTime();
    kc.toString();
    kc.hashCode();
    kc.toDnBinary("CN=x").format();
  }

  /**
   * Parses a DN-binary string: success round-trips through {@link DnBinary#format()} and its
   * binary part passes {@link #checkBlob}; failure is a {@link KeyCredentialFormatException}
   * (DN_BINARY_MALFORMED) with a character offset inside the string.
   *
   * @return true if the string parsed as DN-binary, false if it was rejected
   */
  static boolean checkDnBinary(String s) {
    DnBinary v;
    try {
      v = DnBinary.parse(s);
    } catch (KeyCredentialFormatException e) {
      assertThat(e.code()).isEqualTo(CoreErrorCode.DN_BINARY_MALFORMED);
      assertThat(e.offset()).isBetween(0, s.length());
      assertThat(e.getMessage()).contains("character " + e.offset());
      return false;
    } catch (Throwable t) {
      throw new AssertionError("DnBinary.parse threw " + t + " for " + s, t);
    }
    assertThat(v.binary()).isNotEmpty();
    assertThat(s).startsWith("B:").endsWith(":" + v.dn());
    DnBinary again = parseUnchecked(v.format());
    assertThat(again).isEqualTo(v);
    assertThat(again.format()).isEqualTo(v.format());
    checkBlob(v.binary());
    return true;
  }

  private static DnBinary parseUnchecked(String s) {
    try {
      return DnBinary.parse(s);
    } catch (KeyCredentialFormatException e) {
      throw new AssertionError("the formatted value " + s + " does not parse", e);
    }
  }
}
