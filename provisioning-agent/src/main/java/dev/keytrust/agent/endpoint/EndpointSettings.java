package dev.keytrust.agent.endpoint;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Named settings for an endpoint, such as {@code token-file=/run/keytrust/token} or
 * {@code ca-file=/etc/keytrust/ca.pem}. Values are references (paths, variable names, commands),
 * never secrets themselves, so they may be shown and logged.
 *
 * @param values the settings by name
 */
public record EndpointSettings(Map<String, String> values) {

  public EndpointSettings {
    values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /** No settings. */
  public static EndpointSettings none() {
    return new EndpointSettings(Map.of());
  }

  /** The value of a setting, if given. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }
}
