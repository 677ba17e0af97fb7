package dev.keytrust.agent.flow;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.tpm.TpmUri;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the TPM lost a user's key, found without the PIN: the TPM was cleared, a firmware update
 * changed its storage seed, or the key store came from another machine, so the storage root key the
 * key was made under is gone (or another) or the TPM no longer loads its blobs. Such a key can never
 * sign again; provisioning replaces it.
 */
public final class LostKey {
  /** The errors that say the TPM lost the key (not a wrong PIN, not an unreachable TPM). */
  public static final Set<ErrorCode> LOST = Set.of(CoreErrorCode.TPM_SRK_MISMATCH, CoreErrorCode.TPM_KEY_NOT_LOADABLE);

  /**
   * What a check found.
   *
   * @param state the answer
   * @param error why the key is lost, or why it could not be checked; null when usable
   */
  public record Check(State state, KeytrustException error) {
    public Check {
      Objects.requireNonNull(state, "state");
    }

    /** The error's code, if any. */
    public Optional<ErrorCode> code() {
      return error == null ? Optional.empty() : Optional.of(error.code());
    }
  }

  /** The answers. */
  public enum State {
    /** The TPM loads the key: it works with the right PIN. */
    USABLE,
    /** The TPM lost the key: provisioning replaces it. */
    LOST,
    /** The TPM could not be asked (not reachable, another provider selected, another error). */
    UNKNOWN,
    /** A software key: there is no TPM to lose it. */
    NOT_A_TPM_KEY
  }

  private LostKey() {}

  /** True when {@code e} says the TPM lost the key. */
  public static boolean isLost(KeytrustException e) {
    return LOST.contains(e.code());
  }

  /**
   * Checks {@code key} of {@code user} in the TPM {@code tpm} names, opened through {@code keys}.
   * Never throws for the TPM's answer: every outcome is a {@link Check}.
   */
  public static Check check(HelloKeysFactory keys, TpmUri tpm, KeyContainer key) {
    if (key.provider() != ProviderKind.TPM) {
      return new Check(State.NOT_A_TPM_KEY, null);
    }
    if (tpm.isSoftware()) {
      return new Check(State.UNKNOWN, new KeytrustException(CoreErrorCode.KEY_PROVIDER_MISMATCH,
          "The key of user '" + key.user() + "' is a TPM key, but the software provider is selected."));
    }
    try (HelloKeys opened = keys.open(tpm)) {
      opened.requireUsable(key.user());
      return new Check(State.USABLE, null);
    } catch (KeytrustException e) {
      return new Check(isLost(e) ? State.LOST : State.UNKNOWN, e);
    } catch (RuntimeException e) {
      return new Check(State.UNKNOWN, new KeytrustException(CoreErrorCode.TPM_TRANSPORT,
          "The TPM at " + tpm + " failed while keytrust checked the key: " + e));
    }
  }
}
