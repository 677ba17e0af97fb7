package dev.keytrust.agent.cli;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.signin.DirectoryAccount;
import dev.keytrust.agent.signin.DirectoryKeyVerifier;
import dev.keytrust.error.KeytrustException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --directory URI [--directory-setting NAME=VALUE]... [--upn UPN]}: the directory whose
 * msDS-KeyCredentialLink a sign-in is checked against ({@code authenticate}, {@code sync-watch}).
 */
final class DirectoryOptions {

  /** {@code --directory URI} alone ({@code directory check-permissions} takes its settings otherwise). */
  static final class Location {
    @Option(names = "--directory", required = true, paramLabel = "URI",
        description = "ldaps://HOST[:PORT]/BASE-DN, as for the LDAP registration endpoint.")
    String uri;

    URI parse() throws KeytrustException {
      return CliUris.parse("--directory", uri);
    }
  }

  @Mixin Location location;

  @Option(names = "--directory-setting", paramLabel = "NAME=VALUE",
      description = "A setting of the directory, as for the LDAP endpoint: credentials-file=PATH (required;"
          + " bind-dn=... and password=..., chmod 600), ca-file=PATH, connect-timeout, response-timeout;"
          + " repeatable.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--upn", paramLabel = "UPN",
      description = "The user's userPrincipalName in the directory. Default: the --user name (which is also"
          + " accepted as sAMAccountName unless it is a UPN).")
  String upn;

  DirectoryKeyVerifier open() throws KeytrustException {
    return DirectoryKeyVerifier.open(location.parse(), new EndpointSettings(settings));
  }

  DirectoryAccount account(String user) {
    return DirectoryAccount.of(user, upn);
  }
}
