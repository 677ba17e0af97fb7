package dev.keytrust.agent.endpoint.drs;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.Locale;

/**
 * The request URIs of the DRS-style key service, from the endpoint's base URI.
 *
 * <ul>
 *   <li>Key endpoint: {@code {base}/EnrollmentServer/key/}. A base that already ends with {@code
 *       /EnrollmentServer/key} or {@code /EnrollmentServer/key/} (the {@code KeyProvisionEndpoint}
 *       that discovery returns) is used as it is.
 *   <li>Register: {@code POST {key endpoint}?api-version=1.0} ([MS-KPP] §3.1.5.1.1).
 *   <li>List (keytrust extension): {@code GET {key endpoint}?api-version=1.0}: the token user's keys.
 *   <li>Unregister (keytrust extension): {@code DELETE {key endpoint}{key id}?api-version=1.0},
 *       the key id (SHA-256 of the key material) in unpadded Base64url.
 * </ul>
 */
final class DrsUris {
  static final String API_VERSION = "1.0";
  static final String KEY_PATH = "EnrollmentServer/key/";

  private final URI keyEndpoint;

  private DrsUris(URI keyEndpoint) {
    this.keyEndpoint = keyEndpoint;
  }

  /**
   * The URIs under {@code base}, an absolute http(s) URI without user info, query or fragment
   * (the provider checks those first).
   */
  static DrsUris of(URI base) {
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    String lower = path.toLowerCase(Locale.ROOT);
    String keyPath;
    if (lower.endsWith("/" + KEY_PATH.toLowerCase(Locale.ROOT))) {
      keyPath = path;
    } else if (lower.endsWith("/" + KEY_PATH.substring(0, KEY_PATH.length() - 1).toLowerCase(Locale.ROOT))) {
      keyPath = path + "/";
    } else {
      keyPath = (path.endsWith("/") ? path : path + "/") + KEY_PATH;
    }
    try {
      URI endpoint =
          new URI(base.getScheme().toLowerCase(Locale.ROOT) + "://" + base.getRawAuthority() + keyPath);
      return new DrsUris(endpoint);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a usable base URI", e);
    }
  }

  /** {@code {base}/EnrollmentServer/key/}. */
  URI keyEndpoint() {
    return keyEndpoint;
  }

  /** {@code POST} target: {@code {key endpoint}?api-version=1.0}. */
  URI register() {
    return URI.create(keyEndpoint + "?api-version=" + API_VERSION);
  }

  /** {@code GET} target of keytrust's listing extension: {@code {key endpoint}?api-version=1.0}. */
  URI list() {
    return register();
  }

  /** {@code DELETE} target: {@code {key endpoint}{Base64url(keyId)}?api-version=1.0}. */
  URI unregister(byte[] keyId) {
    return URI.create(keyEndpoint + keyIdSegment(keyId) + "?api-version=" + API_VERSION);
  }

  /** The key id as one path segment: unpadded Base64url (RFC 4648 §5), safe in a URI path. */
  static String keyIdSegment(byte[] keyId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(keyId);
  }
}
