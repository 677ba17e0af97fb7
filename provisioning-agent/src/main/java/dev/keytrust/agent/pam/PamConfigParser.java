package dev.keytrust.agent.pam;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the text of a {@link PamConfig}; every mistake is {@code KT-1802} with its line. */
final class PamConfigParser {
  private static final Pattern SECTION = Pattern.compile("\\[\\s*(user|users)\\s+(\\S+)\\s*]");
  private static final Pattern SETTING = Pattern.compile("([a-z][a-z-]*)\\s*=\\s*(.*)");
  private static final Pattern PLACEHOLDER = Pattern.compile("%\\{[^}]*}|%");

  private PamConfigParser() {}

  static PamConfig parse(String text, Path source) throws AgentException {
    Map<String, String> defaults = new LinkedHashMap<>();
    List<PamConfig.Section> sections = new ArrayList<>();
    Map<String, String> current = defaults;
    boolean pattern = false;
    String name = null;
    int header = 0;
    String[] lines = text.split("\\R", -1);
    for (int i = 0; i < lines.length; i++) {
      int n = i + 1;
      String line = stripComment(lines[i]).strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("[")) {
        Matcher m = SECTION.matcher(line);
        if (!m.matches()) {
          throw bad(source, n, "'" + line + "' is not a section header: write [user NAME] or"
              + " [users GLOB]");
        }
        if (name != null) {
          sections.add(new PamConfig.Section(pattern, name, current, header));
        }
        pattern = m.group(1).equals("users");
        name = m.group(2);
        header = n;
        if (!pattern && !LinuxAccounts.NAME.matcher(name).matches()) {
          throw bad(source, n, "'" + name + "' is not a Linux user name");
        }
        for (PamConfig.Section s : sections) {
          if (s.pattern() == pattern && s.name().equals(name)) {
            throw bad(source, n, "a second " + line + " (the first is on line " + s.line() + ")");
          }
        }
        current = new LinkedHashMap<>();
        continue;
      }
      Matcher m = SETTING.matcher(line);
      if (!m.matches()) {
        throw bad(source, n, "'" + line + "' is not 'name = value'");
      }
      String key = m.group(1);
      String value = m.group(2).strip();
      if (!PamConfig.SETTINGS.contains(key)) {
        throw bad(source, n, "unknown setting '" + key + "' (known: "
            + String.join(", ", PamConfig.SETTINGS.stream().sorted().toList()) + ")");
      }
      if (value.isEmpty()) {
        throw bad(source, n, "'" + key + "' has no value");
      }
      if (current.containsKey(key)) {
        throw bad(source, n, "'" + key + "' is set twice in " + (name == null ? "the defaults"
            : "this section"));
      }
      Matcher p = PLACEHOLDER.matcher(value);
      while (p.find()) {
        if (!PamConfig.PLACEHOLDERS.contains(p.group())) {
          throw bad(source, n, "'" + p.group() + "' in '" + key + "' is not a placeholder: use "
              + String.join(", ", PamConfig.PLACEHOLDERS.stream().sorted().toList()));
        }
      }
      current.put(key, value);
    }
    if (name != null) {
      sections.add(new PamConfig.Section(pattern, name, current, header));
    }
    return new PamConfig(source, defaults, sections);
  }

  /** The line without a comment: a whole-line '#', or ' #' after a value. */
  private static String stripComment(String line) {
    String t = line.strip();
    if (t.startsWith("#") || t.startsWith(";")) {
      return "";
    }
    int hash = line.indexOf(" #");
    int tab = line.indexOf("\t#");
    int cut = hash < 0 ? tab : tab < 0 ? hash : Math.min(hash, tab);
    return cut < 0 ? line : line.substring(0, cut);
  }

  private static AgentException bad(Path source, int line, String what) {
    return new AgentException(AgentErrorCode.PAM_CONFIG_INVALID, source + " line " + line + ": "
        + what + ".");
  }
}
