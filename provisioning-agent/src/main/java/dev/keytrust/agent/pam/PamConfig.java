package dev.keytrust.agent.pam;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The configuration of {@code keytrust pam-auth} ({@link #DEFAULT_FILE} unless {@code --config}
 * names another): which Linux users keytrust signs in, and with what.
 *
 * <pre>
 * # settings before the first section apply to every section
 * realm   = CONTOSO.COM
 * kdc     = dc1.contoso.com          # HOST[:PORT]; default: the realm's DNS name
 * kdc-ca  = /etc/keytrust/enterprise-ca.pem
 * tpm     = device:/dev/tpmrm0       # default; "software" for the software key provider
 *
 * [user alice]                       # the Linux user alice
 * upn     = alice.smith@contoso.com
 *
 * [users *]                          # every other Linux user (a glob: * ? [a-z])
 * upn     = %{user}@contoso.com
 * </pre>
 *
 * <p>Settings ({@code name = value}, {@code #} starts a comment line or a comment after a value
 * following whitespace): {@code realm}, {@code kdc}, {@code kdc-ca} (required), {@code tpm}, {@code
 * upn} (default {@code %{user}@<realm in lower case>}), {@code key-user} (the user's name in the key
 * store; default the UPN), {@code store} (default {@code %{home}/.keytrust/keys}), {@code ccache}
 * (default {@code /tmp/krb5cc_%{uid}}, FILE caches only) and {@code kdc-timeout} (default {@code
 * 10s}: connect and answer, each), {@code state-dir} (default {@code %{home}/.keytrust/state}: where
 * the time the PIN was set is kept) and {@code policy-dir} (default {@code /etc/keytrust/policy}: the
 * PIN expiry, {@code PINComplexity/Expiration}). Values may hold {@code %{user}} (the Linux user name), {@code
 * %{uid}} and {@code %{home}}.
 *
 * <p>A Linux user's settings are the first {@code [user NAME]} section with the name, else the
 * first {@code [users GLOB]} section whose pattern matches, in file order, over the settings
 * before the first section. A user no section names is not signed in by keytrust
 * ({@link PamResult#AUTHINFO_UNAVAIL}: the next module decides).
 */
public final class PamConfig {
  /** Where pam-auth reads its configuration unless told otherwise. */
  public static final Path DEFAULT_FILE = Path.of("/etc/keytrust/pam.conf");
  /** The setting names. */
  public static final Set<String> SETTINGS = Set.of("realm", "kdc", "kdc-ca", "tpm", "upn",
      "key-user", "store", "ccache", "kdc-timeout", "state-dir", "policy-dir");
  /** The placeholders values may hold. */
  public static final Set<String> PLACEHOLDERS = Set.of("%{user}", "%{uid}", "%{home}");

  /**
   * One section.
   *
   * @param pattern true for {@code [users GLOB]}, false for {@code [user NAME]}
   * @param name the name or glob
   * @param settings its settings, in file order
   * @param line the line of its header
   */
  public record Section(boolean pattern, String name, Map<String, String> settings, int line) {
    public Section {
      Objects.requireNonNull(name, "name");
      settings = Map.copyOf(settings);
    }

    /** Whether this section is for {@code user}. */
    public boolean matches(String user) {
      if (!pattern) {
        return name.equals(user);
      }
      PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + name);
      return glob.matches(Path.of(user));
    }

    /** {@code [user NAME]} or {@code [users GLOB]}. */
    public String header() {
      return "[" + (pattern ? "users " : "user ") + name + "]";
    }
  }

  private final Path source;
  private final Map<String, String> defaults;
  private final List<Section> sections;

  /**
   * @param source the file it came from (for messages)
   * @param defaults the settings before the first section
   * @param sections the sections, in file order
   */
  public PamConfig(Path source, Map<String, String> defaults, List<Section> sections) {
    this.source = Objects.requireNonNull(source, "source");
    this.defaults = Map.copyOf(defaults);
    this.sections = List.copyOf(sections);
  }

  public Path source() {
    return source;
  }

  public Map<String, String> defaults() {
    return defaults;
  }

  public List<Section> sections() {
    return sections;
  }

  /** The section for {@code user} (see the class comment), or empty. */
  public Optional<Section> sectionFor(String user) {
    for (Section s : sections) {
      if (!s.pattern() && s.matches(user)) {
        return Optional.of(s);
      }
    }
    for (Section s : sections) {
      if (s.pattern() && s.matches(user)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The settings of {@code user}: its section's over the defaults; empty when no section is for it. */
  public Optional<Map<String, String>> settingsFor(String user) {
    return sectionFor(user).map(s -> {
      Map<String, String> merged = new LinkedHashMap<>(defaults);
      merged.putAll(s.settings());
      return Map.copyOf(merged);
    });
  }
}
