package dev.keytrust.agent.endpoint;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether provisioning attests the key to the endpoint: the endpoint setting {@code
 * attest=required|preferred|off} (default {@code off}).
 *
 * <ul>
 *   <li>{@code required}: the key must be a TPM key and the endpoint's attestation CA must accept its
 *       TPM2_Certify; otherwise provisioning fails (KT-1511) after registering, and a rerun tries the
 *       attestation again.
 *   <li>{@code preferred}: attestation is tried; when it fails (a software key, a TPM without EK
 *       certificate, a refusal) provisioning still succeeds and {@code keytrust status} says why the
 *       key is not attested.
 *   <li>{@code off}: no attestation.
 * </ul>
 */
public enum AttestationMode {
  OFF,
  PREFERRED,
  REQUIRED;

  /** The endpoint setting's name. */
  public static final String SETTING = "attest";

  /** The mode the settings give. */
  public static AttestationMode of(EndpointSettings settings) {
    Optional<String> v = settings.get(SETTING);
    if (v.isEmpty()) {
      return OFF;
    }
    return switch (v.get().strip().toLowerCase(Locale.ROOT)) {
      case "required" -> REQUIRED;
      case "preferred" -> PREFERRED;
      case "off" -> OFF;
      default -> throw new IllegalArgumentException(SETTING + "=" + v.get() + " is not required, preferred or off");
    };
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
