package dev.keytrust.agent.flow;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Opens the key provider a {@link TpmUri} names ({@code software} included) over the flow's key
 * store. The flow opens it only for the moment it creates a key or checks a PIN, so a TPM (and a
 * simulator, which serves one client) is never held while the user types.
 */
@FunctionalInterface
public interface HelloKeysFactory {

  /**
   * @throws KeytrustException as {@link HelloKeys#open}: {@code TPM_UNREACHABLE} and the other
   *     "no usable TPM here" codes let the flow fall back to software where policy allows
   */
  HelloKeys open(TpmUri tpm) throws KeytrustException;

  /** {@link HelloKeys#open(TpmUri, Path)} over the store at {@code storeRoot}. */
  static HelloKeysFactory of(Path storeRoot) {
    Objects.requireNonNull(storeRoot, "storeRoot");
    return tpm -> HelloKeys.open(tpm, storeRoot);
  }
}
