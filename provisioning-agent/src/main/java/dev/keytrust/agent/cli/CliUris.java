package dev.keytrust.agent.cli;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.net.URI;
import java.net.URISyntaxException;

/** URI option values ({@code --endpoint}, {@code --directory}). */
final class CliUris {

  private CliUris() {}

  /** {@code value} as a URI; INVALID_ARGUMENT naming {@code option} when it is none. */
  static URI parse(String option, String value) throws KeytrustException {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          option + " '" + value + "' is not a URI: " + e.getReason() + ".");
    }
  }
}
