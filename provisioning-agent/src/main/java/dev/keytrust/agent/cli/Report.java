package dev.keytrust.agent.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Human-readable output in the style of {@code dsregcmd /status}: boxed section titles, then
 * {@code Name : value} rows with the names right-aligned to one column across the whole report.
 * Long values wrap at commas onto continuation lines aligned under the value column.
 */
final class Report {

  private static final int BOX_WIDTH = 72;
  private static final int LINE_WIDTH = 100;

  private record Row(String name, String value) {}

  private record Section(String title, List<Row> rows) {}

  private final List<Section> sections = new ArrayList<>();

  /** Starts a new section; the rows added next belong to it. */
  Report section(String title) {
    sections.add(new Section(title, new ArrayList<>()));
    return this;
  }

  /** Adds a row to the current section. */
  Report row(String name, Object value) {
    if (sections.isEmpty()) {
      throw new IllegalStateException("row before the first section");
    }
    sections.get(sections.size() - 1).rows().add(new Row(name, String.valueOf(value)));
    return this;
  }

  /** YES/NO, as dsregcmd prints booleans. */
  static String yesNo(boolean b) {
    return b ? "YES" : "NO";
  }

  /** Renders the report; every line ends with a newline. */
  String render() {
    int nameWidth = 0;
    for (Section s : sections) {
      for (Row r : s.rows()) {
        nameWidth = Math.max(nameWidth, r.name().length());
      }
    }
    String border = "+" + "-".repeat(BOX_WIDTH - 2) + "+\n";
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < sections.size(); i++) {
      Section s = sections.get(i);
      if (i > 0) {
        out.append('\n');
      }
      out.append(border);
      String title = s.title().length() > BOX_WIDTH - 4 ? s.title().substring(0, BOX_WIDTH - 4) : s.title();
      out.append("| ").append(title).append(" ".repeat(BOX_WIDTH - 4 - title.length())).append(" |\n");
      out.append(border).append('\n');
      for (Row r : s.rows()) {
        String pad = " ".repeat(nameWidth - r.name().length() + 1);
        out.append(pad).append(r.name()).append(" : ");
        appendWrapped(out, r.value(), nameWidth + 4);
      }
    }
    return out.toString();
  }

  private static void appendWrapped(StringBuilder out, String value, int indent) {
    int width = Math.max(20, LINE_WIDTH - indent);
    String rest = value;
    while (rest.length() > width) {
      int cut = rest.lastIndexOf(", ", width - 1);
      if (cut <= 0) {
        break;
      }
      out.append(rest, 0, cut + 1).append('\n').append(" ".repeat(indent));
      rest = rest.substring(cut + 2);
    }
    out.append(rest).append('\n');
  }
}
