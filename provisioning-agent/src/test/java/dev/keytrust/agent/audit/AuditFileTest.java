package dev.keytrust.agent.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit file: JSON lines, owner-only, size-bounded rotation, no link followed, safe for concurrent writers. */
class AuditFileTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static AuditEvent event(int i) {
    return AuditEvent.of(AuditEventId.STEP, "alice@contoso.com", Instant.parse("2026-12-07T09:00:00Z"))
        .withOperation("provision").withStep("key", "SUCCEEDED", 12L).withRun("run-" + i)
        .withDetail("line \"" + i + "\"\nwith a newline, a tab\t, a NUL \u0000 and \u2028");
  }

  @Test
  void writesOneJsonObjectPerLineOwnerOnly() throws Exception {
    Path dir = tmp.resolve("state");
    AuditFile file = new AuditFile(dir);
    file.write(event(1));
    file.write(event(2));
    List<String> lines = Files.readAllLines(file.file());
    assertThat(lines).hasSize(2);
    JsonNode first = JSON.readTree(lines.get(0));
    assertThat(first.get("eventId").asInt()).isEqualTo(9000);
    assertThat(first.get("event").asText()).isEqualTo("step");
    assertThat(first.get("user").asText()).isEqualTo("alice@contoso.com");
    assertThat(first.get("durationMs").asLong()).isEqualTo(12);
    assertThat(first.get("errorCode").isNull()).isTrue();
    assertThat(first.get("detail").asText()).isEqualTo(event(1).detail());
    assertThat(first.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
    assertThat(Files.getPosixFilePermissions(file.file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void rotatesBySizeAndKeepsABoundedNumberOfFiles() throws Exception {
    AuditFile file = new AuditFile(tmp, 2048, 2);
    int line = (event(100).toJson() + "\n").length();
    for (int i = 100; i < 300; i++) {
      file.write(event(i));
    }
    assertThat(Files.exists(file.rotated(1))).isTrue();
    assertThat(Files.exists(file.rotated(2))).isTrue();
    assertThat(Files.exists(file.rotated(3))).isFalse();
    for (Path p : List.of(file.file(), file.rotated(1), file.rotated(2))) {
      assertThat(Files.size(p)).as(p.toString()).isLessThanOrEqualTo(2048);
      assertThat(Files.getPosixFilePermissions(p)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
    // the newest lines are in the current file, the next older ones in .1
    List<String> current = Files.readAllLines(file.file());
    assertThat(JSON.readTree(current.get(current.size() - 1)).get("runId").asText()).isEqualTo("run-299");
    List<String> older = Files.readAllLines(file.rotated(1));
    assertThat(JSON.readTree(older.get(older.size() - 1)).get("runId").asText())
        .isEqualTo("run-" + (299 - current.size()));
    assertThat(line).isLessThan(2048);
  }

  @Test
  void aFileTooOpenIsMadeOwnerOnlyAndALinkIsRefused() throws Exception {
    AuditFile file = new AuditFile(tmp);
    file.write(event(1));
    Files.setPosixFilePermissions(file.file(), PosixFilePermissions.fromString("rw-r--r--"));
    file.write(event(2));
    assertThat(Files.getPosixFilePermissions(file.file())).isEqualTo(PosixFilePermissions.fromString("rw-------"));

    Path other = tmp.resolve("elsewhere");
    Files.writeString(other, "");
    Path linked = tmp.resolve("linked");
    Files.createDirectories(linked);
    Files.setPosixFilePermissions(linked, PosixFilePermissions.fromString("rwx------"));
    Files.createSymbolicLink(linked.resolve(AuditFile.NAME), other);
    assertThatThrownBy(() -> new AuditFile(linked).write(event(3))).isInstanceOf(IOException.class);
    assertThat(Files.readString(other)).isEmpty();
    assertThat(Files.isSymbolicLink(linked.resolve(AuditFile.NAME))).isTrue();
    assertThat(Files.exists(linked.resolve(AuditFile.NAME), LinkOption.NOFOLLOW_LINKS)).isTrue();
  }

  @Test
  void concurrentWritersKeepEveryLineWhole() throws Exception {
    AuditFile a = new AuditFile(tmp, 64 * 1024, 3);
    AuditFile b = new AuditFile(tmp, 64 * 1024, 3);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        AuditFile f = i % 2 == 0 ? a : b;
        int n = i;
        done.add(pool.submit(() -> {
          f.write(event(n));
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    int total = 0;
    for (Path p : List.of(a.file(), a.rotated(1), a.rotated(2), a.rotated(3))) {
      if (Files.exists(p)) {
        for (String l : Files.readAllLines(p)) {
          JSON.readTree(l);
          total++;
        }
      }
    }
    assertThat(total).isEqualTo(400);
  }
}
