package dev.keytrust.agent.endpoint;

import dev.keytrust.error.KeytrustException;
import java.net.URI;
import java.util.Set;

/**
 * Service-provider interface for registration endpoints, found with {@link java.util.ServiceLoader}
 * (listed in {@code META-INF/services/dev.keytrust.agent.endpoint.KeyRegistrationEndpointProvider})
 * and chosen by the URI's scheme. See {@link KeyRegistrationEndpoints}.
 */
public interface KeyRegistrationEndpointProvider {

  /** The URI schemes this provider serves, lower-case, e.g. {@code https} or {@code ldap, ldaps}. */
  Set<String> schemes();

  /**
   * The setting names {@link #open} understands (e.g. {@code token-file}, {@code ca-file}); any
   * other name is refused before {@link #open} is called, so a typo never goes unnoticed.
   */
  Set<String> settingNames();

  /**
   * Opens an endpoint. Reads files the settings name (tokens, CA certificates, credentials) now, so
   * configuration errors show before any key is created.
   *
   * @throws KeytrustException bad input (KT-16xx, exit 2) for a malformed URI or setting, or a
   *     missing/unreadable file named in the settings
   */
  KeyRegistrationEndpoint open(URI uri, EndpointSettings settings) throws KeytrustException;
}
