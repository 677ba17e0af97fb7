package dev.keytrust.agent.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system log sink with the real util-linux {@code logger}: on this machine's {@code /dev/log} when it
 * has one (or the absent case when not), and always against a syslog socket the test listens on itself
 * (logger falls back to a stream socket when the socket is not a datagram one), so the line keytrust
 * sends is checked byte for byte.
 */
class SystemLogTest {
  @TempDir Path tmp;

  static boolean loggerInstalled() {
    return Files.isExecutable(Path.of("/usr/bin/logger")) || Files.isExecutable(Path.of("/bin/logger"));
  }

  static AuditEvent event(AuditEventId id) {
    return AuditEvent.of(id, "alice@contoso.com", Instant.parse("2026-12-07T09:00:00Z")).withOperation("sign-in")
        .withKey("6AEB6612A01AE75A7FB689C33C979C0B482B173F37DA18F45B3D949B0C4EDE1F");
  }

  @Test
  void thisMachinesSystemLogIsFoundOrItsAbsenceSaid() {
    if (Files.exists(SystemLog.DEV_LOG) && loggerInstalled()) {
      assertThat(SystemLog.detect()).isPresent();
      assertThat(AuditTrail.forStateDir(tmp).sinks()).hasSize(2);
    } else {
      assertThat(SystemLog.detect()).isEmpty();
      assertThat(SystemLog.whyNone(SystemLog.DEV_LOG)).isNotBlank();
      // the audit file is then the only record
      assertThat(AuditTrail.forStateDir(tmp).sinks()).singleElement().isInstanceOf(AuditFile.class);
    }
    assertThat(SystemLog.detect(tmp.resolve("no-such-socket"))).isEmpty();
    assertThat(SystemLog.whyNone(tmp.resolve("no-such-socket"))).contains("no " + tmp.resolve("no-such-socket"));
  }

  @Test
  void eventsReachASyslogSocketThroughLogger() throws Exception {
    assumeThat(loggerInstalled()).as("util-linux logger").isTrue();
    Path socket = tmp.resolve("log.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      assertThat(SystemLog.detect(socket)).isPresent();
      SystemLog log = SystemLog.detect(socket).orElseThrow();
      AuditTrail trail = AuditTrail.of(List.of(log, new AuditFile(tmp.resolve("state"))), Clock.systemUTC());

      CompletableFuture<List<String>> received = CompletableFuture.supplyAsync(() -> accept(server, 2));
      trail.record(event(AuditEventId.SIGN_IN_ACCEPTED));
      trail.record(event(AuditEventId.STEP)); // steps stay in the file
      trail.record(event(AuditEventId.SIGN_IN_REFUSED).withError("KT-0201"));
      List<String> lines = received.get(20, TimeUnit.SECONDS);

      long pid = ProcessHandle.current().pid();
      // <85>: facility authpriv (10), severity notice (5); <84>: warning (4)
      assertThat(lines.get(0)).startsWith("<85>").contains(" keytrust[" + pid + "]: ")
          .endsWith(event(AuditEventId.SIGN_IN_ACCEPTED).toJson());
      assertThat(lines.get(1)).startsWith("<84>").contains("\"eventId\":9051").contains("\"errorCode\":\"KT-0201\"");
      assertThat(String.join("\n", lines)).doesNotContain("\"event\":\"step\"");
      assertThat(Files.readAllLines(tmp.resolve("state").resolve(AuditFile.NAME))).hasSize(3);
    }
  }

  @Test
  void aLoggerThatFailsIsAnIoErrorAndTheTrailGoesOn() throws Exception {
    assumeThat(loggerInstalled()).as("util-linux logger").isTrue();
    Path socket = tmp.resolve("gone.sock");
    SystemLog log = new SystemLog(socket, "logger");
    assertThatThrownBy(() -> log.write(event(AuditEventId.SIGN_IN_ACCEPTED))).isInstanceOf(IOException.class)
        .hasMessageContaining("logger exited");
    AuditFile file = new AuditFile(tmp.resolve("state"));
    AuditTrail.of(List.of(log, file), Clock.systemUTC()).record(event(AuditEventId.SIGN_IN_ACCEPTED));
    assertThat(Files.readAllLines(file.file())).hasSize(1);
  }

  /** Accepts {@code count} connections (logger opens one per message) and reads one line from each. */
  private static List<String> accept(ServerSocketChannel server, int count) {
    List<String> lines = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        try (SocketChannel c = server.accept()) {
          ByteBuffer buf = ByteBuffer.allocate(16384);
          while (c.read(buf) >= 0) {
            if (buf.position() > 0 && buf.get(buf.position() - 1) == '\n') {
              break;
            }
          }
          lines.add(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip());
        }
      }
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
    return lines;
  }
}
