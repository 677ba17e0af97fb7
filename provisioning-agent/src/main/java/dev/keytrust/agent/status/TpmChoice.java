package dev.keytrust.agent.status;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmUri;
import java.util.Objects;

/**
 * The TPM status looks at and who named it, or why there is none to look at.
 *
 * @param uri the TPM, or null when none could be chosen
 * @param source who named it (or would have)
 * @param unavailable why none could be chosen (e.g. the platform has no default TPM), else null
 */
public record TpmChoice(TpmUri uri, TpmSource source, KeytrustException unavailable) {
  public TpmChoice {
    Objects.requireNonNull(source, "source");
    if ((uri == null) == (unavailable == null)) {
      throw new IllegalArgumentException("give either the TPM or why there is none");
    }
  }

  /** {@code uri}, named by {@code source}. */
  public static TpmChoice named(TpmUri uri, TpmSource source) {
    return new TpmChoice(Objects.requireNonNull(uri, "uri"), source, null);
  }

  /** No TPM: {@code source} named none, for the reason {@code why}. */
  public static TpmChoice none(TpmSource source, KeytrustException why) {
    return new TpmChoice(null, source, Objects.requireNonNull(why, "why"));
  }

  /** Chooses the TPM when the probe comes to it, so that its errors come in the probe's order. */
  @FunctionalInterface
  public interface Chooser {
    /**
     * The choice.
     *
     * @throws KeytrustException when the TPM named is not a valid TPM URI (bad input)
     */
    TpmChoice choose() throws KeytrustException;
  }
}
