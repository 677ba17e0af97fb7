package dev.keytrust.agent.prereq;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text and Map forms of a {@link PrerequisiteReport}: the message of Windows event 358/360, the
 * dsregcmd "Ngc Prerequisite Check" section, and a tree of Map, List, String, Integer and Boolean
 * for a JSON writer.
 */
public final class PrerequisiteRenderer {

  /** The last line of events 358/360. */
  public static final String MORE_DETAILS =
      "See https://go.microsoft.com/fwlink/?linkid=832647 for more details.";
  /** The dsregcmd section title. */
  public static final String NGC_SECTION_TITLE = "Ngc Prerequisite Check";

  private static final int BOX_WIDTH = 72;

  private PrerequisiteRenderer() {}

  /**
   * The event 358/360 message, line for line as Windows writes it (keytrust's two lines follow the
   * cloud-trust line); every line ends with a newline.
   */
  public static String eventText(PrerequisiteReport report) {
    return event(report, false);
  }

  /** {@link #eventText} with each check's reason on an indented line below it. */
  public static String eventTextWithReasons(PrerequisiteReport report) {
    return event(report, true);
  }

  private static String event(PrerequisiteReport report, boolean reasons) {
    StringBuilder out = new StringBuilder();
    out.append(report.result().eventHeadline()).append('\n');
    for (CheckResult c : report.checks()) {
      out.append(c.id().eventLine()).append(": ").append(c.answer().eventText()).append('\n');
      if (reasons) {
        out.append("    ").append(c.reason()).append('\n');
      }
    }
    out.append("Machine is governed by ").append(report.machinePolicySource().windowsName())
        .append(" policy.\n");
    out.append(MORE_DETAILS).append('\n');
    return out.toString();
  }

  /**
   * The dsregcmd Ngc Prerequisite Check fields in order: one per line ({@code YES}, {@code NO},
   * {@code NOT TESTED}), {@code CertEnrollment} and {@code PreReqResult}.
   */
  public static Map<String, String> ngcPrerequisiteFields(PrerequisiteReport report) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (CheckResult c : report.checks()) {
      if (c.id() == PrerequisiteId.GROUP_TARGETING) {
        fields.put("CertEnrollment", report.machinePolicySource().windowsName());
      }
      fields.put(c.id().dsregField(), c.answer().dsregText());
    }
    fields.put("PreReqResult", report.result().dsregText());
    return fields;
  }

  /** The dsregcmd-style boxed section: title, then {@code Name : value} rows aligned on the colon. */
  public static String ngcPrerequisiteCheck(PrerequisiteReport report) {
    Map<String, String> fields = ngcPrerequisiteFields(report);
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    String border = "+" + "-".repeat(BOX_WIDTH - 2) + "+\n";
    StringBuilder out = new StringBuilder(border);
    out.append("| ").append(NGC_SECTION_TITLE)
        .append(" ".repeat(BOX_WIDTH - 4 - NGC_SECTION_TITLE.length())).append(" |\n");
    out.append(border).append('\n');
    fields.forEach((name, value) -> out.append(" ".repeat(width - name.length() + 1)).append(name)
        .append(" : ").append(value).append('\n'));
    return out.toString();
  }

  /**
   * The report as a tree for a JSON writer: {@code result} (WillProvision or WillNotProvision),
   * {@code eventId} (358 or 360), {@code trigger}, {@code machinePolicySource}, and {@code checks}:
   * one object per line with {@code id}, {@code line}, {@code answer}, {@code blocking} and
   * {@code reason}.
   */
  public static Map<String, Object> toMap(PrerequisiteReport report) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("result", report.result().dsregText());
    m.put("eventId", report.result().eventId());
    m.put("trigger", report.trigger().name().toLowerCase(java.util.Locale.ROOT));
    m.put("machinePolicySource", report.machinePolicySource().windowsName());
    List<Object> checks = new ArrayList<>();
    for (CheckResult c : report.checks()) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("id", c.id().jsonName());
      cm.put("line", c.id().eventLine());
      cm.put("answer", c.answer().eventText());
      cm.put("blocking", c.blocking());
      cm.put("reason", c.reason());
      checks.add(cm);
    }
    m.put("checks", checks);
    return m;
  }
}
