package dev.keytrust.agent.flow;

import dev.keytrust.key.ProviderKind;
import java.util.Objects;

/**
 * Which provider made the key and why, as the flow reports it: {@code TPM at mssim://...}, or
 * {@code no TPM at device:/dev/tpmrm0 (KT-0101): software key, allowed by policy
 * (RequireSecurityDevice is false)}.
 *
 * @param provider the provider of the key
 * @param reason why that provider, in one sentence
 */
public record KeyChoice(ProviderKind provider, String reason) {
  public KeyChoice {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(reason, "reason");
  }
}
