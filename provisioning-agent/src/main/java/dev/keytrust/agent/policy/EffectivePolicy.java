package dev.keytrust.agent.policy;

import dev.keytrust.agent.pin.PinPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The policy in force for one user (or for the computer alone): every {@link Setting}'s effective
 * value with its origin, the diagnostics found while reading the files, and the PIN rules as a
 * {@link PinPolicy}. Immutable; made by {@link PolicyResolver} or {@link #defaults()}.
 */
public final class EffectivePolicy {

  private final Optional<Path> directory;
  private final Optional<String> user;
  private final Map<PolicyLayer, Path> files;
  private final Map<Setting<?>, EffectiveValue<?>> values;
  private final List<PolicyDiagnostic> diagnostics;

  EffectivePolicy(Optional<Path> directory, Optional<String> user, Map<PolicyLayer, Path> files,
      Map<Setting<?>, EffectiveValue<?>> values, List<PolicyDiagnostic> diagnostics) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.user = Objects.requireNonNull(user, "user");
    EnumMap<PolicyLayer, Path> fileCopy = new EnumMap<>(PolicyLayer.class);
    fileCopy.putAll(files);
    this.files = Collections.unmodifiableMap(fileCopy);
    Map<Setting<?>, EffectiveValue<?>> copy = new LinkedHashMap<>();
    for (Setting<?> s : Setting.all()) {
      EffectiveValue<?> v = values.get(s);
      if (v == null) {
        throw new IllegalArgumentException("no effective value for " + s);
      }
      copy.put(s, v);
    }
    this.values = Collections.unmodifiableMap(copy);
    this.diagnostics = List.copyOf(diagnostics);
  }

  /** Nothing configured: every setting at its default, no diagnostics. */
  public static EffectivePolicy defaults() {
    Map<Setting<?>, EffectiveValue<?>> values = new LinkedHashMap<>();
    for (Setting<?> s : Setting.all()) {
      values.put(s, defaultValue(s));
    }
    return new EffectivePolicy(Optional.empty(), Optional.empty(), Map.of(), values, List.of());
  }

  static <T> EffectiveValue<T> defaultValue(Setting<T> s) {
    return new EffectiveValue<>(s, s.defaultValue(), ValueOrigin.DEFAULT, List.of());
  }

  /** The policy directory read, empty for {@link #defaults()}. */
  public Optional<Path> directory() {
    return directory;
  }

  /** The user whose files were read; empty when only the computer's were. */
  public Optional<String> user() {
    return user;
  }

  /** The policy files that exist and were read, by layer. */
  public Map<PolicyLayer, Path> files() {
    return files;
  }

  /** A setting's effective value with its origin and the values that did not apply. */
  @SuppressWarnings("unchecked")
  public <T> EffectiveValue<T> effective(Setting<T> setting) {
    return (EffectiveValue<T>) values.get(Objects.requireNonNull(setting, "setting"));
  }

  /** A setting's effective value. */
  public <T> T value(Setting<T> setting) {
    return effective(setting).value();
  }

  /** Every setting's effective value, in {@link Setting#all()} order. */
  public List<EffectiveValue<?>> values() {
    return List.copyOf(values.values());
  }

  /** The problems found in the files; the values they concern are not applied. */
  public List<PolicyDiagnostic> diagnostics() {
    return diagnostics;
  }

  /** True when a configured value was rejected (a diagnostic of severity ERROR). */
  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(d -> d.severity() == PolicyDiagnostic.Severity.ERROR);
  }

  /** UsePassportForWork: whether Windows Hello for Business provisioning is enabled at all. */
  public boolean usePassportForWork() {
    return value(Setting.USE_PASSPORT_FOR_WORK);
  }

  /** The security groups whose members provision; empty when every user does. */
  public List<String> provisioningGroups() {
    return value(Setting.PROVISIONING_GROUPS);
  }

  /** The effective PIN rules. Minimum below maximum is guaranteed (an invalid pair fell back to the defaults). */
  public PinPolicy pinPolicy() {
    return new PinPolicy(
        value(Setting.MINIMUM_PIN_LENGTH),
        value(Setting.MAXIMUM_PIN_LENGTH),
        value(Setting.DIGITS),
        value(Setting.LOWERCASE_LETTERS),
        value(Setting.UPPERCASE_LETTERS),
        value(Setting.SPECIAL_CHARACTERS),
        value(Setting.HISTORY),
        value(Setting.EXPIRATION));
  }

  /**
   * Which kind of policy governs: group policy when any applied value comes from a GPO file, MDM
   * when applied values come only from MDM files, none when every value is a default.
   */
  public MachinePolicySource machinePolicySource() {
    boolean mdm = false;
    for (EffectiveValue<?> v : values.values()) {
      if (v.origin() instanceof ValueOrigin.Configured c) {
        if (c.source() == PolicySource.GROUP_POLICY) {
          return MachinePolicySource.GROUP_POLICY;
        }
        mdm = true;
      }
    }
    return mdm ? MachinePolicySource.MDM : MachinePolicySource.NONE;
  }

  /**
   * A tree of Map, List, String, Integer and Boolean for a JSON writer: {@code directory},
   * {@code user}, {@code files}, {@code settings} (name, value, origin, file, line, ignored),
   * {@code pinPolicy}, {@code machinePolicySource} and {@code diagnostics}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("directory", directory.map(Path::toString).orElse(null));
    m.put("user", user.orElse(null));
    Map<String, Object> fileMap = new LinkedHashMap<>();
    files.forEach((layer, path) -> fileMap.put(layer.describe(), path.toString()));
    m.put("files", fileMap);
    List<Object> settings = new ArrayList<>();
    for (EffectiveValue<?> v : values.values()) {
      settings.add(valueMap(v));
    }
    m.put("settings", settings);
    PinPolicy pin = pinPolicy();
    Map<String, Object> pinMap = new LinkedHashMap<>();
    pinMap.put("minLength", pin.minLength());
    pinMap.put("maxLength", pin.maxLength());
    pinMap.put("digits", Setting.DIGITS.toJson(pin.digits()));
    pinMap.put("lowercase", Setting.LOWERCASE_LETTERS.toJson(pin.lowercase()));
    pinMap.put("uppercase", Setting.UPPERCASE_LETTERS.toJson(pin.uppercase()));
    pinMap.put("special", Setting.SPECIAL_CHARACTERS.toJson(pin.special()));
    pinMap.put("history", pin.history());
    pinMap.put("expirationDays", pin.expirationDays());
    m.put("pinPolicy", pinMap);
    m.put("machinePolicySource", machinePolicySource().windowsName());
    List<Object> diags = new ArrayList<>();
    for (PolicyDiagnostic d : diagnostics) {
      Map<String, Object> dm = new LinkedHashMap<>();
      dm.put("severity", d.severity().name().toLowerCase(java.util.Locale.ROOT));
      dm.put("code", d.code().id());
      dm.put("file", d.file().toString());
      dm.put("line", d.line());
      dm.put("setting", d.settingName().orElse(null));
      dm.put("message", d.message());
      diags.add(dm);
    }
    m.put("diagnostics", diags);
    return m;
  }

  private static <T> Map<String, Object> valueMap(EffectiveValue<T> v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.setting().name());
    m.put("value", v.setting().toJson(v.value()));
    putOrigin(m, v.origin());
    List<Object> ignored = new ArrayList<>();
    for (ConfiguredValue<T> c : v.ignored()) {
      Map<String, Object> im = new LinkedHashMap<>();
      im.put("value", v.setting().toJson(c.value()));
      putOrigin(im, c.origin());
      ignored.add(im);
    }
    m.put("ignored", ignored);
    return m;
  }

  private static void putOrigin(Map<String, Object> m, ValueOrigin origin) {
    if (origin instanceof ValueOrigin.Configured c) {
      m.put("origin", c.layer().describe());
      m.put("file", c.file().toString());
      m.put("line", c.line());
    } else {
      m.put("origin", "default");
      m.put("file", null);
      m.put("line", null);
    }
  }

  @Override
  public String toString() {
    return "EffectivePolicy[user=" + user.orElse("(computer)") + ", source="
        + machinePolicySource().windowsName() + ", diagnostics=" + diagnostics.size() + "]";
  }
}
