package dev.keytrust.agent.policy;

import java.util.List;
import java.util.Objects;

/**
 * The value a setting takes after precedence, with where it came from.
 *
 * @param setting the setting
 * @param value the effective value
 * @param origin the file line it came from, or {@link ValueOrigin#DEFAULT}
 * @param ignored values other files configure for the same setting that did not apply, highest
 *     precedence first (overridden by a higher layer, or rejected as an invalid PIN length pair)
 * @param <T> the setting's value type
 */
public record EffectiveValue<T>(
    Setting<T> setting, T value, ValueOrigin origin, List<ConfiguredValue<T>> ignored) {
  public EffectiveValue {
    Objects.requireNonNull(setting, "setting");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(origin, "origin");
    ignored = List.copyOf(ignored);
  }

  /** True when no policy file sets the value. */
  public boolean isDefault() {
    return origin instanceof ValueOrigin.Default;
  }

  /** For reports: {@code PINComplexity/History = 5 (computer GPO /p/computer/gpo.properties:2)}. */
  public String describe() {
    return setting.name() + " = " + setting.format(value) + " (" + origin.describe() + ")";
  }
}
