package dev.keytrust.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding for text that is not secret (records, policy and configuration files, JSON,
 * CBOR text strings): malformed or unmappable input is an error, never replaced, so that two
 * different byte strings never read as the same text. The one decoder instead of a copy in each
 * parser. Secrets (PINs, passwords, TOTP seeds) are decoded into arrays their owners wipe, not into
 * a {@code String}: they do not use this.
 */
public final class StrictUtf8 {
  private StrictUtf8() {}

  /** {@code bytes} as text, or {@link CharacterCodingException} if they are not UTF-8. */
  public static String decode(byte[] bytes) throws CharacterCodingException {
    return decode(bytes, 0, bytes.length);
  }

  /** {@code length} bytes of {@code bytes} from {@code offset} as text; see {@link #decode(byte[])}. */
  public static String decode(byte[] bytes, int offset, int length) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes, offset, length))
        .toString();
  }
}
