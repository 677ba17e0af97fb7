package dev.keytrust.agent.policy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the effective policy from a policy directory (layout and format in docs/policy.md):
 *
 * <pre>
 * DIR/computer/gpo.properties        computer scope, group policy
 * DIR/computer/mdm.properties        computer scope, MDM
 * DIR/users/USER/gpo.properties      user scope, group policy
 * DIR/users/USER/mdm.properties      user scope, MDM
 * </pre>
 *
 * <p>Precedence per setting, highest first: user GPO, computer GPO, user MDM, computer MDM (user over
 * computer; group policy over MDM, whose conflicting values are ignored while a group-policy value
 * exists). When the effective minimum PIN length is not below the effective maximum, both fall
 * back to their defaults, as Windows does. A missing directory or file configures nothing.
 */
public final class PolicyResolver {

  private static final Logger LOG = LoggerFactory.getLogger(PolicyResolver.class);

  /** The folder of computer-scope files inside the policy directory. */
  public static final String COMPUTER_FOLDER = "computer";
  /** The folder holding one folder per user inside the policy directory. */
  public static final String USERS_FOLDER = "users";

  private final Path directory;

  /** A resolver over {@code directory}; nothing is read until {@link #resolve}. */
  public PolicyResolver(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  /** The policy directory. */
  public Path directory() {
    return directory;
  }

  /** The file of a layer: {@code computer/gpo.properties} or {@code users/USER/mdm.properties}. */
  public Path file(PolicyLayer layer, String user) throws AgentException {
    if (layer.scope() == PolicyScope.COMPUTER) {
      return directory.resolve(COMPUTER_FOLDER).resolve(layer.fileName());
    }
    return directory.resolve(USERS_FOLDER).resolve(checkUser(user)).resolve(layer.fileName());
  }

  /**
   * The policy for {@code user}: the user's files over the computer's.
   *
   * @throws AgentException KT-1101 when the directory is not a directory or the user name cannot
   *     name a folder; KT-1102 when a file cannot be read; KT-1103 when a file is not in the policy
   *     format at all. Problems with single lines are {@link EffectivePolicy#diagnostics()}.
   */
  public EffectivePolicy resolve(String user) throws AgentException {
    checkUser(user);
    return resolve(Optional.of(user));
  }

  /** The policy from the computer's files alone (no user signed in). */
  public EffectivePolicy resolveComputer() throws AgentException {
    return resolve(Optional.empty());
  }

  private EffectivePolicy resolve(Optional<String> user) throws AgentException {
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new AgentException(AgentErrorCode.POLICY_DIRECTORY_INVALID, "The policy directory "
          + directory + " is not a directory; point keytrust at the folder that holds computer/"
          + " and users/ (docs/policy.md)");
    }
    Map<PolicyLayer, Path> files = new EnumMap<>(PolicyLayer.class);
    List<PolicyFileParser.Parsed> parsed = new ArrayList<>();
    List<PolicyDiagnostic> diagnostics = new ArrayList<>();
    Map<Path, Boolean> folders = new HashMap<>(4); // each layer folder (two files each) asked once
    for (PolicyLayer layer : PolicyLayer.values()) {
      if (layer.scope() == PolicyScope.USER && user.isEmpty()) {
        continue;
      }
      Path file = file(layer, user.orElse(null));
      // Files.exists and isDirectory without options answer from stat without throwing (the
      // NOFOLLOW_LINKS form throws and catches a NoSuchFileException for every absent file): a
      // file whose folder is not there, or that exists through a link, is settled by them
      if (!folders.computeIfAbsent(file.getParent(), Files::isDirectory)
          || (!Files.exists(file) && !Files.exists(file, LinkOption.NOFOLLOW_LINKS))) {
        continue;
      }
      if (!Files.isRegularFile(file)) {
        throw new AgentException(AgentErrorCode.POLICY_FILE_UNREADABLE, "Policy file " + file
            + " is not a regular file; replace it with a file in the format of docs/policy.md");
      }
      PolicyFileParser.Parsed p = PolicyFileParser.parse(file, layer);
      files.put(layer, file);
      parsed.add(p);
      diagnostics.addAll(p.diagnostics());
    }
    Map<Setting<?>, EffectiveValue<?>> values = new LinkedHashMap<>();
    for (Setting<?> s : Setting.all()) {
      values.put(s, pick(s, parsed, diagnostics));
    }
    checkPinLengths(values, diagnostics);
    for (PolicyDiagnostic d : diagnostics) {
      LOG.warn("{}", d);
    }
    return new EffectivePolicy(Optional.of(directory), user, files, values, diagnostics);
  }

  /** The first layer that configures {@code s} wins; conflicting MDM values under a GPO value are reported. */
  private static <T> EffectiveValue<T> pick(Setting<T> s, List<PolicyFileParser.Parsed> parsed,
      List<PolicyDiagnostic> diagnostics) {
    List<ConfiguredValue<T>> configured = new ArrayList<>();
    for (PolicyFileParser.Parsed p : parsed) {
      @SuppressWarnings("unchecked")
      ConfiguredValue<T> v = (ConfiguredValue<T>) p.values().get(s);
      if (v != null) {
        configured.add(v);
      }
    }
    if (configured.isEmpty()) {
      return EffectivePolicy.defaultValue(s);
    }
    ConfiguredValue<T> winner = configured.get(0);
    List<ConfiguredValue<T>> ignored = configured.subList(1, configured.size());
    if (winner.origin().source() == PolicySource.GROUP_POLICY) {
      for (ConfiguredValue<T> loser : ignored) {
        if (loser.origin().source() == PolicySource.MDM && !loser.value().equals(winner.value())) {
          diagnostics.add(new PolicyDiagnostic(PolicyDiagnostic.Severity.WARNING,
              AgentErrorCode.POLICY_SOURCES_CONFLICT, loser.origin().file(), loser.origin().line(),
              s.name(), PolicyFileParser.where(loser.origin().file(), loser.origin().line()) + ": "
                  + s.name() + " = " + s.format(loser.value()) + " from MDM is ignored while group"
                  + " policy sets " + s.format(winner.value()) + " ("
                  + winner.origin().describe() + "). Configure PassportForWork with group policy"
                  + " or with MDM, not both"));
        }
      }
    }
    return new EffectiveValue<>(s, winner.value(), winner.origin(), ignored);
  }

  /**
   * PassportForWork: the minimum must be below the maximum; "if the conditions for min/max length
   * aren't met, default values are used for both the maximum and minimum PIN lengths".
   */
  private static void checkPinLengths(Map<Setting<?>, EffectiveValue<?>> values,
      List<PolicyDiagnostic> diagnostics) {
    @SuppressWarnings("unchecked")
    EffectiveValue<Integer> min = (EffectiveValue<Integer>) values.get(Setting.MINIMUM_PIN_LENGTH);
    @SuppressWarnings("unchecked")
    EffectiveValue<Integer> max = (EffectiveValue<Integer>) values.get(Setting.MAXIMUM_PIN_LENGTH);
    if (min.value() < max.value()) {
      return;
    }
    EffectiveValue<Integer> blamed = min.isDefault() ? max : min;
    ValueOrigin.Configured at = (ValueOrigin.Configured) blamed.origin();
    diagnostics.add(new PolicyDiagnostic(PolicyDiagnostic.Severity.ERROR,
        AgentErrorCode.POLICY_PIN_LENGTHS_INVALID, at.file(), at.line(), blamed.setting().name(),
        "The effective " + min.describe() + " is not below the effective " + max.describe()
            + ": the minimum must be less than the maximum (both 4..127), so both lengths use"
            + " their defaults (" + Setting.MINIMUM_PIN_LENGTH.defaultValue() + ".."
            + Setting.MAXIMUM_PIN_LENGTH.defaultValue() + "), as Windows does. Fix the lengths"));
    values.put(Setting.MINIMUM_PIN_LENGTH, fallBack(min));
    values.put(Setting.MAXIMUM_PIN_LENGTH, fallBack(max));
  }

  private static <T> EffectiveValue<T> fallBack(EffectiveValue<T> rejected) {
    List<ConfiguredValue<T>> ignored = new ArrayList<>();
    if (rejected.origin() instanceof ValueOrigin.Configured c) {
      ignored.add(new ConfiguredValue<>(rejected.setting(), rejected.value(), c));
    }
    ignored.addAll(rejected.ignored());
    return new EffectiveValue<>(rejected.setting(), rejected.setting().defaultValue(),
        ValueOrigin.DEFAULT, ignored);
  }

  private static String checkUser(String user) throws AgentException {
    if (user == null || user.isEmpty() || user.equals(".") || user.equals("..")
        || user.length() > 255 || !user.chars().allMatch(c -> c >= 0x20 && c != 0x7f
            && c != '/' && c != '\\')) {
      throw new AgentException(AgentErrorCode.POLICY_DIRECTORY_INVALID, "The user name "
          + (user == null ? "(none)" : PolicyFileParser.quote(user)) + " cannot name a folder"
          + " under " + USERS_FOLDER + "/: give the account name without a domain prefix,"
          + " slashes or control characters");
    }
    return user;
  }
}
