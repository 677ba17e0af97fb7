package dev.keytrust.secret;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;

/**
 * A user's PIN, from the prompt to the key: its characters, and their UTF-8 encoding (made once,
 * when the PIN is made, and kept in a {@link SecretBuffer}). Every consumer takes a {@code Pin}:
 * the PIN rules read its characters, the TPM provider derives the key's auth value from its bytes,
 * the software provider and the PIN history their Argon2id keys. Nobody else holds a copy.
 *
 * <pre>{@code
 * try (Pin pin = Pin.moveFrom(console.readPassword())) {
 *   keys.sign("alice", challenge, pin);
 * }
 * }</pre>
 *
 * <p>A PIN is 1 to {@value #MAX_LENGTH} characters of valid UTF-16 (no lone surrogate), so that
 * its UTF-8 encoding is exact: two different character strings never give the same bytes; with
 * no control character (NUL, ESC, DEL, C1) and not only spaces, which no one types as a PIN on
 * purpose. Rules beyond that shape (length, character classes, history) are the agent's PIN
 * policy.
 *
 * <p>Reading the characters or the bytes takes a {@link SecretAccess}, and hands out a copy that is
 * zeroed when the function returns. {@link #destroy()} (or {@link #close()}) zeroes both forms;
 * every use after it fails with {@link IllegalStateException}. {@code toString} shows nothing of
 * the PIN; {@code equals} is identity ({@link #sameAs} compares contents in constant time). Not
 * meant to be shared between threads.
 */
public final class Pin implements Destroyable, AutoCloseable {
  /** Longest PIN, in characters (the Windows maximum). */
  public static final int MAX_LENGTH = 127;

  private final char[] chars;
  private final SecretBuffer utf8;
  private boolean destroyed;

  private Pin(char[] chars, SecretBuffer utf8) {
    this.chars = chars;
    this.utf8 = utf8;
  }

  /**
   * A PIN holding a copy of {@code chars}; the caller still owns and clears {@code chars}.
   *
   * @throws KeytrustException PIN_INVALID (bad input) when the PIN is empty, longer than {@value
   *     #MAX_LENGTH} characters or not valid UTF-16
   */
  public static Pin copyOf(char[] chars) throws KeytrustException {
    Objects.requireNonNull(chars, "chars");
    checkLength(chars.length);
    checkCharacters(chars);
    char[] copy = chars.clone();
    try {
      return new Pin(copy, encode(copy));
    } catch (KeytrustException | RuntimeException e) {
      Arrays.fill(copy, '\0');
      throw e;
    }
  }

  /**
   * A PIN made from {@code chars}, which are zeroed (also when the PIN is refused): for arrays a
   * prompt returned.
   *
   * @throws KeytrustException as {@link #copyOf}
   */
  public static Pin moveFrom(char[] chars) throws KeytrustException {
    Objects.requireNonNull(chars, "chars");
    try {
      return copyOf(chars);
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /** The number of characters ({@code char}s). */
  public int length() {
    open();
    return chars.length;
  }

  /**
   * Runs {@code use} on a copy of the characters, zeroed when it returns or throws. {@code use}
   * must not keep the array.
   */
  public <T, E extends Exception> T withChars(SecretAccess access, CharsFunction<T, E> use) throws E {
    Objects.requireNonNull(access, "access");
    open();
    char[] copy = chars.clone();
    try {
      return use.apply(copy);
    } finally {
      Arrays.fill(copy, '\0');
    }
  }

  /**
   * Runs {@code use} on a heap copy of the UTF-8 bytes, zeroed when it returns or throws. {@code
   * use} must not keep the array.
   */
  public <T, E extends Exception> T withUtf8(SecretAccess access, SecretBuffer.SecretFunction<T, E> use) throws E {
    open();
    return utf8.withCopy(access, use);
  }

  /** True when both PINs hold the same characters; the time depends on the lengths only. */
  public boolean sameAs(Pin other) {
    Objects.requireNonNull(other, "other");
    open();
    other.open();
    if (chars.length != other.chars.length) {
      return false;
    }
    int diff = 0;
    for (int i = 0; i < chars.length; i++) {
      diff |= chars[i] ^ other.chars[i];
    }
    return diff == 0;
  }

  /** Zeroes the characters and the bytes. Idempotent. */
  @Override
  public synchronized void destroy() {
    if (!destroyed) {
      destroyed = true;
      Arrays.fill(chars, '\0');
      utf8.close();
    }
  }

  @Override
  public synchronized boolean isDestroyed() {
    return destroyed;
  }

  /** {@link #destroy()}. */
  @Override
  public void close() {
    destroy();
  }

  @Override
  public String toString() {
    return isDestroyed() ? "Pin[destroyed]" : "Pin[...]";
  }

  private synchronized void open() {
    if (destroyed) {
      throw new IllegalStateException("the PIN was destroyed");
    }
  }

  private static void checkLength(int length) throws KeytrustException {
    if (length == 0) {
      throw new KeytrustException(CoreErrorCode.PIN_INVALID, "The PIN is empty: enter a PIN.");
    }
    if (length > MAX_LENGTH) {
      throw new KeytrustException(
          CoreErrorCode.PIN_INVALID, "The PIN is longer than " + MAX_LENGTH + " characters: use a shorter PIN.");
    }
  }

  private static void checkCharacters(char[] chars) throws KeytrustException {
    boolean onlySpaces = true;
    for (int i = 0; i < chars.length; i++) {
      if (Character.isISOControl(chars[i])) {
        throw new KeytrustException(CoreErrorCode.PIN_INVALID,
            "The PIN contains a control character at position " + (i + 1) + ": use only characters you can type.");
      }
      onlySpaces &= Character.isWhitespace(chars[i]) || Character.isSpaceChar(chars[i]);
    }
    if (onlySpaces) {
      throw new KeytrustException(CoreErrorCode.PIN_INVALID, "The PIN is only spaces: enter a PIN.");
    }
  }

  /** UTF-8, refusing lone surrogates (an encoder that replaced them would make different PINs equal). */
  private static SecretBuffer encode(char[] chars) throws KeytrustException {
    CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer bb = null;
    try {
      bb = enc.encode(CharBuffer.wrap(chars));
      SecretBuffer out = SecretBuffer.allocate(bb.remaining());
      out.write(0, bb.array(), bb.arrayOffset() + bb.position(), bb.remaining());
      return out;
    } catch (CharacterCodingException e) {
      throw new KeytrustException(
          CoreErrorCode.PIN_INVALID, "The PIN contains an invalid character sequence: retype it.");
    } finally {
      if (bb != null && bb.hasArray()) {
        Arrays.fill(bb.array(), (byte) 0);
      }
    }
  }

  /** What {@link #withChars} runs: a function of the PIN's characters that may throw {@code E}. */
  @FunctionalInterface
  public interface CharsFunction<T, E extends Exception> {
    T apply(char[] chars) throws E;
  }
}
