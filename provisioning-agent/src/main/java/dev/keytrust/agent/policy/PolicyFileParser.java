package dev.keytrust.agent.policy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.internal.StrictUtf8;
import dev.keytrust.store.InputFiles;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one policy file: UTF-8 text, one {@code Name = value} per line, {@code #} or {@code ;}
 * comment lines, blank lines ignored (the format of docs/policy.md). Lenient per line: a bad line
 * becomes a diagnostic and the rest of the file still applies. A file in which no line can be read
 * as a setting (another format, binary data, not UTF-8) is an error.
 */
final class PolicyFileParser {

  /** Larger files are not policy files; refusing them keeps a stray log from being parsed. */
  static final int MAX_FILE_BYTES = 1 << 20;

  /** What one file configures. */
  record Parsed(PolicyLayer layer, Path file, Map<Setting<?>, ConfiguredValue<?>> values,
      List<PolicyDiagnostic> diagnostics) {}

  private PolicyFileParser() {}

  static Parsed parse(Path file, PolicyLayer layer) throws AgentException {
    List<String> lines = readLines(file);
    Map<Setting<?>, ConfiguredValue<?>> values = new LinkedHashMap<>();
    Map<Setting<?>, Integer> firstLine = new LinkedHashMap<>();
    List<Setting<?>> duplicated = new ArrayList<>();
    List<PolicyDiagnostic> diagnostics = new ArrayList<>();
    int settingLines = 0;
    int malformedLines = 0;
    for (int i = 0; i < lines.size(); i++) {
      int lineNo = i + 1;
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      int eq = line.indexOf('=');
      String name = eq < 0 ? "" : line.substring(0, eq).strip();
      if (eq < 0 || name.isEmpty()) {
        malformedLines++;
        diagnostics.add(error(AgentErrorCode.POLICY_LINE_MALFORMED, file, lineNo, "",
            where(file, lineNo) + ": line " + quote(line) + " is not a setting: expected"
                + " 'Name = value' (see docs/policy.md); the line is ignored"));
        continue;
      }
      settingLines++;
      String raw = line.substring(eq + 1).strip();
      Setting<?> setting = Setting.byName(name).orElse(null);
      if (setting == null) {
        diagnostics.add(error(AgentErrorCode.POLICY_SETTING_UNKNOWN, file, lineNo, name,
            where(file, lineNo) + ": " + quote(name) + " is not a policy setting keytrust knows"
                + " (known: " + knownNames() + "); the line is ignored"));
        continue;
      }
      if (setting.deviceOnly() && layer.scope() == PolicyScope.USER) {
        diagnostics.add(error(AgentErrorCode.POLICY_SETTING_DEVICE_ONLY, file, lineNo, setting.name(),
            where(file, lineNo) + ": " + setting.name() + " is a device-only setting and cannot"
                + " be set in a user-scope file; it is not applied. Set it in the computer's "
                + layer.fileName() + " instead"));
        continue;
      }
      Integer earlier = firstLine.putIfAbsent(setting, lineNo);
      if (earlier != null) {
        if (!duplicated.contains(setting)) {
          duplicated.add(setting);
        }
        values.remove(setting);
        diagnostics.add(error(AgentErrorCode.POLICY_SETTING_DUPLICATE, file, lineNo, setting.name(),
            where(file, lineNo) + ": " + setting.name() + " is set again (first on line " + earlier
                + "); neither value is applied. Keep one line"));
        continue;
      }
      try {
        values.put(setting, configured(setting, raw, new ValueOrigin.Configured(layer, file, lineNo)));
      } catch (Setting.InvalidValueException e) {
        diagnostics.add(error(AgentErrorCode.POLICY_VALUE_INVALID, file, lineNo, setting.name(),
            where(file, lineNo) + ": " + setting.name() + " = " + quote(raw) + " " + e.getMessage()
                + ": allowed " + setting.allowedValues() + "; the value is not applied"));
      }
    }
    for (Setting<?> s : duplicated) {
      values.remove(s);
    }
    if (settingLines == 0 && malformedLines > 0) {
      throw new AgentException(AgentErrorCode.POLICY_FILE_MALFORMED, "Policy file " + file
          + " cannot be read: none of its " + malformedLines + " line(s) is a 'Name = value'"
          + " setting (first: line " + firstMalformed(diagnostics) + "). Rewrite it in the format"
          + " of docs/policy.md, or remove it");
    }
    return new Parsed(layer, file, values, List.copyOf(diagnostics));
  }

  private static <T> ConfiguredValue<T> configured(Setting<T> setting, String raw,
      ValueOrigin.Configured origin) throws Setting.InvalidValueException {
    return new ConfiguredValue<>(setting, setting.parse(raw), origin);
  }

  private static List<String> readLines(Path file) throws AgentException {
    byte[] bytes;
    try {
      bytes = InputFiles.read(file, MAX_FILE_BYTES);
    } catch (InputFiles.NotReadable e) {
      if (e.problem() == InputFiles.Problem.MISSING) {
        throw new AgentException(AgentErrorCode.POLICY_FILE_UNREADABLE, "Policy file " + file
            + " disappeared while it was read; run again", e);
      }
      throw new AgentException(AgentErrorCode.POLICY_FILE_MALFORMED, "Policy file " + e.getMessage()
          + ", which a policy file cannot be (at most " + MAX_FILE_BYTES + " bytes); check that the policy"
          + " directory holds only policy files", e);
    } catch (NoSuchFileException e) {
      throw new AgentException(AgentErrorCode.POLICY_FILE_UNREADABLE, "Policy file " + file
          + " disappeared while it was read; run again", e);
    } catch (IOException e) {
      throw new AgentException(AgentErrorCode.POLICY_FILE_UNREADABLE, "Cannot read policy file " + file
          + ": " + e + ". Check that it is a readable regular file", e);
    }
    String text;
    try {
      text = StrictUtf8.decode(bytes);
    } catch (CharacterCodingException e) {
      throw new AgentException(AgentErrorCode.POLICY_FILE_MALFORMED, "Policy file " + file
          + " is not UTF-8 text; save it as UTF-8 in the format of docs/policy.md", e);
    }
    if (text.indexOf('\0') >= 0) {
      throw new AgentException(AgentErrorCode.POLICY_FILE_MALFORMED, "Policy file " + file
          + " holds binary data (NUL characters); write it as text in the format of docs/policy.md");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    return List.of(text.split("\r?\n|\r", -1));
  }

  private static int firstMalformed(List<PolicyDiagnostic> diagnostics) {
    return diagnostics.stream()
        .filter(d -> d.code() == AgentErrorCode.POLICY_LINE_MALFORMED)
        .mapToInt(PolicyDiagnostic::line)
        .findFirst()
        .orElse(0);
  }

  private static PolicyDiagnostic error(ErrorCode code, Path file, int line, String setting,
      String message) {
    return new PolicyDiagnostic(PolicyDiagnostic.Severity.ERROR, code, file, line, setting, message);
  }

  static String where(Path file, int line) {
    return file + ":" + line;
  }

  private static String knownNames() {
    StringBuilder sb = new StringBuilder();
    for (Setting<?> s : Setting.all()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(s.name());
    }
    return sb.toString();
  }

  /** Quotes text from a file for a message: control characters escaped, at most 60 characters. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("'");
    int limit = Math.min(s.length(), 60);
    for (int i = 0; i < limit; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (s.length() > limit) {
      sb.append("...");
    }
    return sb.append('\'').toString();
  }
}
