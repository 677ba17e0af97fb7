package dev.keytrust.agent.prereq;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.internal.StrictUtf8;
import dev.keytrust.store.InputFiles;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The file form of a {@link DeviceContext}, for the CLI: UTF-8 text, one {@code key = value} per
 * line, {@code #} comment lines (format and keys in docs/prerequisites.md). Strict: an unknown or
 * repeated key, a line without {@code =} or a bad value is an error naming the file, the line, the
 * key and the allowed values. An empty value means "not known". When {@code session.remote} is
 * absent the session is detected on this machine.
 */
public final class DeviceContextFile {

  /** Larger files are not device context files. */
  static final int MAX_FILE_BYTES = 1 << 20;

  private static final Pattern CLAIM_NAME = Pattern.compile("token\\.[A-Za-z0-9_]{1,64}");
  private static final List<String> KEYS = List.of(
      "join", "device.id", "tenant.id", "tenant.verifiedDomains", "user.onPremUpn",
      "user.cloudUpn", "user.onPremisesUserPrincipalName", "user.groups", "session.remote", "tpm",
      "tpm.usable", "tpm.lockedOut");

  private DeviceContextFile() {}

  /**
   * Reads a device context file.
   *
   * @param detector tells the session's remoteness when the file does not
   * @throws AgentException KT-1202 when the file cannot be read, KT-1201 when its content is wrong
   */
  public static DeviceContext read(Path file, RemoteSessionDetector detector) throws AgentException {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, Integer> lineOf = new HashMap<>();
    List<String> lines = readLines(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      int lineNo = i + 1;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw invalid(file, lineNo, "is not 'key = value'");
      }
      String key = line.substring(0, eq).strip();
      if (!KEYS.contains(key) && !CLAIM_NAME.matcher(key).matches()) {
        throw invalid(file, lineNo, "has the unknown key '" + key + "' (known: "
            + String.join(", ", KEYS) + ", token.<claim>)");
      }
      Integer earlier = lineOf.putIfAbsent(key, lineNo);
      if (earlier != null) {
        throw invalid(file, lineNo, "sets " + key + " again (first on line " + earlier + ")");
      }
      values.put(key, line.substring(eq + 1).strip());
    }
    Fields f = new Fields(file, values, lineOf);

    String join = f.required("join");
    JoinState joinState = JoinState.fromFileValue(join).orElseThrow(() -> f.bad("join", join,
        "none, entra, domain or hybrid"));
    Map<String, List<String>> claims = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getKey().startsWith("token.") && !e.getValue().isEmpty()) {
        String claim = e.getKey().substring("token.".length()).toLowerCase(Locale.ROOT);
        claims.put(claim, claim.equals("amr") ? list(e.getValue()) : List.of(e.getValue()));
      }
    }
    UserIdentity user = new UserIdentity(f.upn("user.onPremUpn"), f.upn("user.cloudUpn"),
        f.upn("user.onPremisesUserPrincipalName"), list(f.optional("user.groups").orElse("")),
        new TokenClaims(claims));
    SessionInfo session = f.optional("session.remote").isPresent()
        ? new SessionInfo(f.bool("session.remote"), "device context " + file + ": session.remote = "
            + f.optional("session.remote").get())
        : detector.detect();
    return new DeviceContext(joinState, f.optional("device.id"), f.optional("tenant.id"),
        list(f.optional("tenant.verifiedDomains").orElse("")), user, session, f.tpm());
  }

  /**
   * Writes a context in this format (the session as {@code session.remote}); {@link #read} gives
   * the same context back, except the session's evidence.
   */
  public static String format(DeviceContext c) {
    StringBuilder sb = new StringBuilder("# keytrust device context (docs/prerequisites.md)\n");
    line(sb, "join", c.joinState().fileValue());
    line(sb, "device.id", c.deviceId().orElse(""));
    line(sb, "tenant.id", c.tenantId().orElse(""));
    line(sb, "tenant.verifiedDomains", String.join(", ", c.verifiedDomains()));
    UserIdentity u = c.user();
    line(sb, "user.onPremUpn", u.onPremUpn().orElse(""));
    line(sb, "user.cloudUpn", u.cloudUpn().orElse(""));
    line(sb, "user.onPremisesUserPrincipalName", u.onPremisesUserPrincipalName().orElse(""));
    line(sb, "user.groups", String.join(", ", u.groups()));
    u.claims().claims().forEach((k, v) -> line(sb, "token." + k, String.join(", ", v)));
    line(sb, "session.remote", c.session().remote() ? "yes" : "no");
    TpmState t = c.tpm();
    switch (t.presence()) {
      // the provider selection is the run's, not the device's: the file does not record it
      case UNKNOWN, SOFTWARE_SELECTED -> line(sb, "tpm", "unknown");
      case ABSENT -> line(sb, "tpm", "absent");
      case PRESENT -> {
        line(sb, "tpm", t.version().orElseThrow().label());
        line(sb, "tpm.usable", t.usable() ? "yes" : "no");
        line(sb, "tpm.lockedOut", t.lockedOut() ? "yes" : "no");
      }
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, String key, String value) {
    sb.append(key).append(" = ").append(value).append('\n');
  }

  private static List<String> list(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }

  /** The parsed key/value pairs of one file, with typed getters that fail naming file and line. */
  private record Fields(Path file, Map<String, String> values, Map<String, Integer> lineOf) {

    Optional<String> optional(String key) {
      String v = values.get(key);
      return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    String required(String key) throws AgentException {
      Optional<String> v = optional(key);
      if (v.isEmpty()) {
        throw new AgentException(AgentErrorCode.DEVICE_CONTEXT_INVALID, "Device context " + file
            + " does not set " + key + " (none, entra, domain or hybrid); add the line");
      }
      return v.get();
    }

    Optional<String> upn(String key) throws AgentException {
      Optional<String> v = optional(key);
      if (v.isPresent() && !UserIdentity.isUpn(v.get())) {
        throw bad(key, v.get(), "a UPN of the form name@domain");
      }
      return v;
    }

    boolean bool(String key) throws AgentException {
      String v = optional(key).orElseThrow();
      return switch (v.toLowerCase(Locale.ROOT)) {
        case "yes", "true", "1" -> true;
        case "no", "false", "0" -> false;
        default -> throw bad(key, v, "yes or no");
      };
    }

    TpmState tpm() throws AgentException {
      String v = optional("tpm").orElse("unknown");
      boolean hasDetails = optional("tpm.usable").isPresent() || optional("tpm.lockedOut").isPresent();
      switch (v.toLowerCase(Locale.ROOT)) {
        case "unknown", "absent" -> {
          if (hasDetails) {
            throw bad("tpm", v, "2.0 or 1.2 when tpm.usable or tpm.lockedOut is set");
          }
          return v.equalsIgnoreCase("absent") ? TpmState.absent() : TpmState.unknown();
        }
        case "2.0", "1.2" -> {
          TpmVersion version = v.equals("2.0") ? TpmVersion.TPM_2_0 : TpmVersion.TPM_1_2;
          boolean usable = optional("tpm.usable").isEmpty() || bool("tpm.usable");
          boolean lockedOut = optional("tpm.lockedOut").isPresent() && bool("tpm.lockedOut");
          return TpmState.present(version, usable, lockedOut);
        }
        default -> throw bad("tpm", v, "2.0, 1.2, absent or unknown");
      }
    }

    AgentException bad(String key, String value, String allowed) {
      return invalid(file, lineOf.getOrDefault(key, 0), "sets " + key + " = '" + clip(value)
          + "': allowed " + allowed);
    }
  }

  private static AgentException invalid(Path file, int line, String what) {
    return new AgentException(AgentErrorCode.DEVICE_CONTEXT_INVALID, "Device context " + file + ":"
        + line + " " + what + "; fix the file (format in docs/prerequisites.md)");
  }

  private static String clip(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 60 ? clean.substring(0, 60) + "..." : clean;
  }

  private static List<String> readLines(Path file) throws AgentException {
    byte[] bytes;
    try {
      bytes = InputFiles.read(file, MAX_FILE_BYTES);
    } catch (InputFiles.NotReadable e) {
      if (e.problem() == InputFiles.Problem.MISSING) {
        throw new AgentException(AgentErrorCode.DEVICE_CONTEXT_UNREADABLE, "Cannot read device context " + file
            + ": it does not exist. Check the path", e);
      }
      throw new AgentException(AgentErrorCode.DEVICE_CONTEXT_INVALID, "Device context " + file + ": "
          + e.getMessage() + "; it is not a device context file. Give the path of the device context file", e);
    } catch (IOException e) {
      throw new AgentException(AgentErrorCode.DEVICE_CONTEXT_UNREADABLE, "Cannot read device context "
          + file + ": " + e + ". Check the path and that the file is readable", e);
    }
    try {
      String text = StrictUtf8.decode(bytes);
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      return List.of(text.split("\r?\n|\r", -1));
    } catch (CharacterCodingException e) {
      throw new AgentException(AgentErrorCode.DEVICE_CONTEXT_INVALID, "Device context " + file
          + " is not UTF-8 text; save it as UTF-8", e);
    }
  }
}
