package dev.keytrust.agent.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/audit-events.md lists every event with its id and name, and nothing else. */
class AuditDocumentationTest {
  static Path doc() {
    for (Path p : List.of(Path.of("..", "docs", "audit-events.md"), Path.of("docs", "audit-events.md"))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new AssertionError("docs/audit-events.md not found");
  }

  @Test
  void everyEventIsDocumentedWithItsIdAndName() throws Exception {
    String doc = Files.readString(doc());
    List<String> rows = doc.lines().filter(l -> l.matches("\\| \\d+ \\| `[a-z-]+` \\|.*")).toList();
    for (AuditEventId id : AuditEventId.values()) {
      assertThat(rows).as(id.name()).anyMatch(r -> r.startsWith("| " + id.id() + " | `" + id.eventName() + "` |"));
    }
    assertThat(rows).hasSize(AuditEventId.values().length);
  }

  @Test
  void idsAndNamesAreUnique() {
    assertThat(java.util.Arrays.stream(AuditEventId.values()).map(AuditEventId::id).distinct())
        .hasSize(AuditEventId.values().length);
    assertThat(java.util.Arrays.stream(AuditEventId.values()).map(AuditEventId::eventName).distinct())
        .hasSize(AuditEventId.values().length);
  }
}
