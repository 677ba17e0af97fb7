package dev.keytrust.agent.mfa;

import dev.keytrust.error.KeytrustException;
import java.util.Set;

/**
 * Service-provider interface for MFA methods, found with {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/dev.keytrust.agent.mfa.MfaProviderFactory}) and chosen by {@link
 * #name()}; embedders may also register factories with {@link MfaProviders#with}.
 */
public interface MfaProviderFactory {

  /** The method's name, lower-case, e.g. {@code totp}. */
  String name();

  /**
   * The setting names {@link #create} understands; any other name is refused before {@link #create}
   * is called, so a typo never goes unnoticed.
   */
  Set<String> settingNames();

  /**
   * Makes a provider. Reads files the settings name (secrets, tokens, CA certificates) now, so
   * configuration errors show before the user is asked anything.
   *
   * @throws KeytrustException MFA_CONFIG_INVALID (bad input) for a missing, malformed or too open
   *     setting or file
   */
  MfaProvider create(MfaSettings settings, MfaContext context) throws KeytrustException;
}
