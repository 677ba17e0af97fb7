package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The MFA methods a program offers, by name: the {@link MfaProviderFactory factories} on the class
 * path ({@code totp}, {@code push}) plus any an embedder adds. Immutable; {@link #with} returns a
 * new registry in which the added factory replaces one of the same name.
 *
 * <pre>{@code
 * MfaProvider provider = MfaProviders.fromClassPath()
 *     .create("totp", new MfaSettings(Map.of("secret-file", "/etc/keytrust/totp")), context);
 * }</pre>
 */
public final class MfaProviders {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  private final Map<String, MfaProviderFactory> factories;

  private MfaProviders(Map<String, MfaProviderFactory> factories) {
    this.factories = Collections.unmodifiableMap(factories);
  }

  /** The factories listed in {@code META-INF/services} on the class path of this class. */
  public static MfaProviders fromClassPath() {
    MfaProviders registry = new MfaProviders(new LinkedHashMap<>());
    for (MfaProviderFactory f : ServiceLoader.load(MfaProviderFactory.class, MfaProviders.class.getClassLoader())) {
      registry = registry.with(f);
    }
    return registry;
  }

  /** Exactly these factories. */
  public static MfaProviders of(MfaProviderFactory... factories) {
    MfaProviders registry = new MfaProviders(new LinkedHashMap<>());
    for (MfaProviderFactory f : factories) {
      registry = registry.with(f);
    }
    return registry;
  }

  /** This registry plus {@code factory} (replacing a factory of the same name). */
  public MfaProviders with(MfaProviderFactory factory) {
    Objects.requireNonNull(factory, "factory");
    String name = factory.name();
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("MFA method names are [a-z][a-z0-9-]{0,31}, got " + name);
    }
    Map<String, MfaProviderFactory> copy = new LinkedHashMap<>(factories);
    copy.put(name, factory);
    return new MfaProviders(copy);
  }

  /** This registry plus a provider the embedder made itself; it takes no settings. */
  public MfaProviders with(MfaProvider provider) {
    Objects.requireNonNull(provider, "provider");
    return with(new MfaProviderFactory() {
      @Override
      public String name() {
        return provider.name();
      }

      @Override
      public Set<String> settingNames() {
        return Set.of();
      }

      @Override
      public MfaProvider create(MfaSettings settings, MfaContext context) {
        return provider;
      }
    });
  }

  /** The method names, sorted. */
  public Set<String> names() {
    return Collections.unmodifiableSet(new TreeSet<>(factories.keySet()));
  }

  /**
   * Makes the provider {@code name} (case-insensitive).
   *
   * @throws KeytrustException MFA_UNKNOWN_PROVIDER when no factory has that name, MFA_CONFIG_INVALID
   *     for a setting the factory does not know; otherwise what the factory throws
   */
  public MfaProvider create(String name, MfaSettings settings, MfaContext context) throws KeytrustException {
    String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
    MfaProviderFactory factory = factories.get(key);
    if (factory == null) {
      throw new AgentException(AgentErrorCode.MFA_UNKNOWN_PROVIDER,
          "No MFA method '" + name + "': use one of " + names() + ".");
    }
    Set<String> unknown = new TreeSet<>(settings.values().keySet());
    unknown.removeAll(factory.settingNames());
    if (!unknown.isEmpty()) {
      throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID,
          "Unknown setting(s) " + unknown + " for the MFA method " + key + "; its settings are "
              + new TreeSet<>(factory.settingNames()) + ".");
    }
    return factory.create(settings, context);
  }

  @Override
  public String toString() {
    return "MfaProviders" + names();
  }
}
