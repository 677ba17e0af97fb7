package dev.keytrust.agent.endpoint;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/** Finds the {@link KeyRegistrationEndpointProvider} for a URI and opens the endpoint. */
public final class KeyRegistrationEndpoints {

  private KeyRegistrationEndpoints() {}

  /**
   * Opens the endpoint for {@code uri} with the provider that serves its scheme.
   *
   * @throws KeytrustException INVALID_ARGUMENT (exit 2) when no provider serves the scheme or a
   *     setting is not one the provider knows; otherwise what the provider throws
   */
  public static KeyRegistrationEndpoint open(URI uri, EndpointSettings settings)
      throws KeytrustException {
    return open(uri, settings, providers());
  }

  static KeyRegistrationEndpoint open(
      URI uri, EndpointSettings settings, List<KeyRegistrationEndpointProvider> providers)
      throws KeytrustException {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    Set<String> known = new TreeSet<>();
    for (KeyRegistrationEndpointProvider provider : providers) {
      known.addAll(provider.schemes());
      if (provider.schemes().contains(scheme)) {
        Set<String> unknown = new TreeSet<>(settings.values().keySet());
        unknown.removeAll(provider.settingNames());
        if (!unknown.isEmpty()) {
          throw new KeytrustException(
              CoreErrorCode.INVALID_ARGUMENT,
              "Unknown endpoint setting(s) " + unknown + " for " + scheme + ": endpoints; the known"
                  + " settings are " + new TreeSet<>(provider.settingNames()) + ".");
        }
        return provider.open(uri, settings);
      }
    }
    throw new KeytrustException(
        CoreErrorCode.INVALID_ARGUMENT,
        "No registration endpoint serves '" + (scheme.isEmpty() ? uri : scheme + ":")
            + "'; use one of " + known + " (for example https://keys.example.com or"
            + " ldaps://dc.example.com/DC=example,DC=com).");
  }

  /** The providers on the class path. */
  public static List<KeyRegistrationEndpointProvider> providers() {
    List<KeyRegistrationEndpointProvider> found = new ArrayList<>();
    ServiceLoader.load(KeyRegistrationEndpointProvider.class).forEach(found::add);
    return found;
  }
}
