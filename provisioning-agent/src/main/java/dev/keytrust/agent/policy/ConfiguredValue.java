package dev.keytrust.agent.policy;

import java.util.Objects;

/**
 * A value one policy file sets for one setting, before precedence picks the effective one.
 *
 * @param setting the setting
 * @param value the parsed value
 * @param origin the file, line and layer
 * @param <T> the setting's value type
 */
public record ConfiguredValue<T>(Setting<T> setting, T value, ValueOrigin.Configured origin) {
  public ConfiguredValue {
    Objects.requireNonNull(setting, "setting");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(origin, "origin");
  }
}
