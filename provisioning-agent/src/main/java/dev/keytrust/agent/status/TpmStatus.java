package dev.keytrust.agent.status;

import dev.keytrust.agent.policy.EffectiveValue;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.tpm.DiscoveredTpm;
import dev.keytrust.tpm.TpmInfo;
import dev.keytrust.tpm.TpmUri;
import java.util.List;
import java.util.Objects;

/**
 * The TPM and the key provider provisioning would use.
 *
 * @param uri the TPM named (null when none could be chosen, see {@link TpmChoice#none})
 * @param uriSource who named it
 * @param discovered what sysfs lists (for {@code auto} and {@code device:} on Linux), else null
 * @param opened the TPM actually opened ({@code auto} resolved), or null
 * @param info the TPM's facts when it could be opened, else null
 * @param error why there is no TPM (cannot be chosen, reached or read), else null
 * @param provider the key provider provisioning would use, null when it would stop
 * @param providerReason why, in words
 * @param requireSecurityDevice the policy value deciding a software fallback
 */
public record TpmStatus(
    TpmUri uri,
    TpmSource uriSource,
    List<DiscoveredTpm> discovered,
    TpmUri opened,
    TpmInfo info,
    KeytrustException error,
    ProviderKind provider,
    String providerReason,
    EffectiveValue<Boolean> requireSecurityDevice) {

  public TpmStatus {
    Objects.requireNonNull(uriSource, "uriSource");
    discovered = discovered == null ? null : List.copyOf(discovered);
    Objects.requireNonNull(providerReason, "providerReason");
    Objects.requireNonNull(requireSecurityDevice, "requireSecurityDevice");
  }

  /** Whether the software key provider was named instead of a TPM (then no TPM was probed). */
  public boolean software() {
    return uri != null && uri.isSoftware();
  }
}
