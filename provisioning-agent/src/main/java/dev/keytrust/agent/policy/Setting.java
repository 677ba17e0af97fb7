package dev.keytrust.agent.policy;

import dev.keytrust.agent.pin.CharClassRule;
import dev.keytrust.agent.pin.PinPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One policy setting keytrust reads: its PassportForWork CSP name (also the key in policy files),
 * its value type and allowed range, its default, and whether it is device-only. The constants are
 * typed keys: {@code policy.value(Setting.HISTORY)} is an {@code Integer}.
 *
 * <p>Names, ranges and defaults follow the PassportForWork CSP; where Microsoft's pages disagree
 * the 2024 policy-settings pages win: minimum PIN length 6 and every character class allowed but
 * none required when not configured. {@link #PROVISIONING_GROUPS} is keytrust's own setting for
 * security-group targeting (Windows does that through the assignment of the GPO or MDM profile).
 *
 * @param <T> the value type: {@link Boolean}, {@link Integer}, {@link CharClassRule} or a list of
 *     group names
 */
public final class Setting<T> {

  private static final List<Setting<?>> ALL = new ArrayList<>();
  private static final Map<String, Setting<?>> BY_LOWER_NAME = new LinkedHashMap<>();

  /** Use Windows Hello for Business (GPO registry value {@code Enabled}); false: no user provisions. */
  public static final Setting<Boolean> USE_PASSPORT_FOR_WORK =
      bool("UsePassportForWork", false, true);
  /** True: only a device with a usable TPM provisions; false: TPM preferred, software fallback. */
  public static final Setting<Boolean> REQUIRE_SECURITY_DEVICE =
      bool("RequireSecurityDevice", false, false);
  /** True: a TPM 1.2 does not count as a security device. Device-only. */
  public static final Setting<Boolean> EXCLUDE_TPM12 =
      bool("ExcludeSecurityDevices/TPM12", true, false);
  /** True: provisioning is not started automatically after sign-in. Device-only. */
  public static final Setting<Boolean> DISABLE_POST_LOGON_PROVISIONING =
      bool("DisablePostLogonProvisioning", true, false);
  /** True: certificate trust (a sign-in certificate is enrolled). Device-only. */
  public static final Setting<Boolean> USE_CERTIFICATE_FOR_ON_PREM_AUTH =
      bool("UseCertificateForOnPremAuth", true, false);
  /** True: cloud Kerberos trust; certificate trust wins when both are on. Device-only. */
  public static final Setting<Boolean> USE_CLOUD_TRUST_FOR_ON_PREM_AUTH =
      bool("UseCloudTrustForOnPremAuth", true, false);
  /** True: a PIN recovery secret is stored with the cloud service. */
  public static final Setting<Boolean> ENABLE_PIN_RECOVERY =
      bool("EnablePinRecovery", false, false);
  /** Minimum PIN length, 4..127, below the maximum; 6 when not configured. */
  public static final Setting<Integer> MINIMUM_PIN_LENGTH = integer(
      "PINComplexity/MinimumPINLength", PinPolicy.LENGTH_FLOOR, PinPolicy.LENGTH_CEILING,
      PinPolicy.DEFAULT_MIN_LENGTH);
  /** Maximum PIN length, 4..127, above the minimum; 127 when not configured. */
  public static final Setting<Integer> MAXIMUM_PIN_LENGTH = integer(
      "PINComplexity/MaximumPINLength", PinPolicy.LENGTH_FLOOR, PinPolicy.LENGTH_CEILING,
      PinPolicy.DEFAULT_MAX_LENGTH);
  /** Digits 0-9: 0 allowed, 1 required, 2 not allowed. */
  public static final Setting<CharClassRule> DIGITS = charClass("PINComplexity/Digits");
  /** Letters a-z: 0 allowed, 1 required, 2 not allowed. */
  public static final Setting<CharClassRule> LOWERCASE_LETTERS =
      charClass("PINComplexity/LowercaseLetters");
  /** Letters A-Z: 0 allowed, 1 required, 2 not allowed. */
  public static final Setting<CharClassRule> UPPERCASE_LETTERS =
      charClass("PINComplexity/UppercaseLetters");
  /** The 32 ASCII punctuation characters: 0 allowed, 1 required, 2 not allowed. */
  public static final Setting<CharClassRule> SPECIAL_CHARACTERS =
      charClass("PINComplexity/SpecialCharacters");
  /** Number of past PINs that cannot be reused, 0..50. */
  public static final Setting<Integer> HISTORY =
      integer("PINComplexity/History", 0, PinPolicy.MAX_HISTORY, 0);
  /** Days until a PIN expires, 0..730; 0 never. */
  public static final Setting<Integer> EXPIRATION =
      integer("PINComplexity/Expiration", 0, PinPolicy.MAX_EXPIRATION_DAYS, 0);
  /**
   * Security-group targeting (keytrust): the groups whose members provision, by name or object id,
   * comma-separated. Empty or not configured: every user provisions.
   */
  public static final Setting<List<String>> PROVISIONING_GROUPS = new Setting<>(
      "ProvisioningGroups", false, List.of(), "a comma-separated list of group names or ids",
      Setting::parseGroups, v -> List.copyOf(v), v -> String.join(", ", v));

  private final String name;
  private final boolean deviceOnly;
  private final T defaultValue;
  private final String allowed;
  private final Parser<T> parser;
  private final Function<T, Object> json;
  private final Function<T, String> text;

  private Setting(String name, boolean deviceOnly, T defaultValue, String allowed, Parser<T> parser,
      Function<T, Object> json, Function<T, String> text) {
    this.name = name;
    this.deviceOnly = deviceOnly;
    this.defaultValue = defaultValue;
    this.allowed = allowed;
    this.parser = parser;
    this.json = json;
    this.text = text;
    ALL.add(this);
    BY_LOWER_NAME.put(name.toLowerCase(Locale.ROOT), this);
  }

  /** The PassportForWork CSP name, e.g. {@code PINComplexity/MinimumPINLength}. */
  public String name() {
    return name;
  }

  /** True when only the computer scope may set it (PassportForWork's ./Device-only nodes). */
  public boolean deviceOnly() {
    return deviceOnly;
  }

  /** The value when no layer configures the setting. */
  public T defaultValue() {
    return defaultValue;
  }

  /** The allowed values in words, as error messages quote them, e.g. {@code 0..50}. */
  public String allowedValues() {
    return allowed;
  }

  /** The value as text for reports: {@code true}, {@code 6}, {@code required}, {@code a, b}. */
  public String format(T value) {
    return text.apply(value);
  }

  /** The value for a JSON writer: Boolean, Integer, String or a List of String. */
  public Object toJson(T value) {
    return json.apply(value);
  }

  /** Every setting, in the order reports list them. */
  public static List<Setting<?>> all() {
    return Collections.unmodifiableList(ALL);
  }

  /** The setting with this name, compared without case. */
  public static Optional<Setting<?>> byName(String name) {
    return Optional.ofNullable(BY_LOWER_NAME.get(name.toLowerCase(Locale.ROOT)));
  }

  /**
   * Parses a value as written in a policy file.
   *
   * @throws InvalidValueException with the reason (the caller adds file, line and range)
   */
  T parse(String raw) throws InvalidValueException {
    return parser.parse(raw);
  }

  @Override
  public String toString() {
    return name;
  }

  @FunctionalInterface
  private interface Parser<T> {
    T parse(String raw) throws InvalidValueException;
  }

  /** A value that does not fit the setting; the message says why, without file or range. */
  static final class InvalidValueException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidValueException(String message) {
      super(message);
    }
  }

  private static Setting<Boolean> bool(String name, boolean deviceOnly, boolean defaultValue) {
    return new Setting<>(name, deviceOnly, defaultValue, "1 or 0 (true or false)",
        Setting::parseBool, v -> v, String::valueOf);
  }

  private static Setting<Integer> integer(String name, int min, int max, int defaultValue) {
    return new Setting<>(name, false, defaultValue, min + ".." + max,
        raw -> parseInt(raw, min, max), v -> v, String::valueOf);
  }

  private static Setting<CharClassRule> charClass(String name) {
    return new Setting<>(name, false, CharClassRule.ALLOWED,
        "0 (allowed), 1 (required) or 2 (not allowed)", Setting::parseCharClass,
        Setting::ruleWord, Setting::ruleWord);
  }

  private static String ruleWord(CharClassRule rule) {
    return switch (rule) {
      case ALLOWED -> "allowed";
      case REQUIRED -> "required";
      case DISALLOWED -> "not allowed";
    };
  }

  private static Boolean parseBool(String raw) throws InvalidValueException {
    switch (raw.toLowerCase(Locale.ROOT)) {
      case "1", "true":
        return Boolean.TRUE;
      case "0", "false":
        return Boolean.FALSE;
      default:
        throw new InvalidValueException("is not a boolean");
    }
  }

  private static Integer parseInt(String raw, int min, int max) throws InvalidValueException {
    if (!raw.matches("[+-]?[0-9]{1,9}")) {
      throw new InvalidValueException("is not a whole number");
    }
    int v = Integer.parseInt(raw);
    if (v < min || v > max) {
      throw new InvalidValueException("is out of range");
    }
    return v;
  }

  private static CharClassRule parseCharClass(String raw) throws InvalidValueException {
    return switch (raw) {
      case "0" -> CharClassRule.ALLOWED;
      case "1" -> CharClassRule.REQUIRED;
      case "2" -> CharClassRule.DISALLOWED;
      default -> throw new InvalidValueException("is not a character-class rule");
    };
  }

  private static List<String> parseGroups(String raw) throws InvalidValueException {
    if (raw.isEmpty()) {
      return List.of();
    }
    List<String> groups = new ArrayList<>();
    for (String part : raw.split(",", -1)) {
      String g = part.trim();
      if (g.isEmpty()) {
        throw new InvalidValueException("has an empty group name");
      }
      groups.add(g);
    }
    return List.copyOf(groups);
  }
}
