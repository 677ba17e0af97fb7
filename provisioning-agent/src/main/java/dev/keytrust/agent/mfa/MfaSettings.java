package dev.keytrust.agent.mfa;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Named settings of an MFA provider, such as {@code secret-file=/etc/keytrust/totp} or
 * {@code url=https://mfa.example.com}. Values are references (paths, URLs, numbers), never secrets
 * themselves, so they may be shown and logged.
 *
 * @param values the settings by name
 */
public record MfaSettings(Map<String, String> values) {

  public MfaSettings {
    values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /** No settings. */
  public static MfaSettings none() {
    return new MfaSettings(Map.of());
  }

  /** The value of a setting, if given. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }
}
