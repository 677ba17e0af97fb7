package dev.keytrust.agent.kinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.secret.SecretBuffer;
import java.io.DataInputStream;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MIT FILE ccache (version 0x0504) as MIT's ccache.txt lays it out, read back field by field
 * here; and how it is written: 0600, replaced whole, a link at the path replaced not followed.
 */
class FileCredentialCacheTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TICKET = {0x61, 0x03, 0x02, 0x01, 0x05};
  private static final Instant AUTH = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir Path dir;

  static KerberosCredentials credentials() {
    return new KerberosCredentials(
        new KerberosName(1, List.of("alice"), "EXAMPLE.COM"), KerberosName.tgs("EXAMPLE.COM"),
        new SessionKey(18, SecretBuffer.copyOf(KEY)),
        new TicketTimes(AUTH, AUTH.plusSeconds(1), AUTH.plusSeconds(36000), Optional.of(AUTH.plusSeconds(604800))),
        new TicketFlags(0x40e10000), List.of(new HostAddress(2, new byte[] {10, 0, 0, 5})), TICKET,
        new PkinitDetails(new KdcAddress("dc1.example.com", 88), "CN=dc1", "CN=CA", "group 14", true, 18));
  }

  @Test
  void theCacheIsVersion4WithTheDefaultPrincipalAndOneCredentialFieldByField() throws Exception {
    byte[] bytes = CcacheEncoder.encode(credentials());
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    assertThat(in.readUnsignedShort()).isEqualTo(0x0504);
    assertThat(in.readUnsignedShort()).isZero(); // header length
    assertThat(principal(in)).isEqualTo("1:EXAMPLE.COM:alice");
    assertThat(principal(in)).isEqualTo("1:EXAMPLE.COM:alice");
    assertThat(principal(in)).isEqualTo("2:EXAMPLE.COM:krbtgt/EXAMPLE.COM");
    assertThat(in.readUnsignedShort()).isEqualTo(18);
    assertThat(counted(in)).isEqualTo(KEY);
    assertThat(in.readInt()).isEqualTo((int) AUTH.getEpochSecond());
    assertThat(in.readInt()).isEqualTo((int) AUTH.getEpochSecond() + 1);
    assertThat(in.readInt()).isEqualTo((int) AUTH.getEpochSecond() + 36000);
    assertThat(in.readInt()).isEqualTo((int) AUTH.getEpochSecond() + 604800);
    assertThat(in.readUnsignedByte()).isZero(); // is_skey
    assertThat(in.readInt()).isEqualTo(0x40e10000);
    assertThat(in.readInt()).isEqualTo(1); // addresses
    assertThat(in.readUnsignedShort()).isEqualTo(2);
    assertThat(counted(in)).containsExactly(10, 0, 0, 5);
    assertThat(in.readInt()).isZero(); // authdata
    assertThat(counted(in)).isEqualTo(TICKET);
    assertThat(counted(in)).isEmpty(); // second ticket
    assertThat(in.available()).isZero();
  }

  private static String principal(DataInputStream in) throws Exception {
    int type = in.readInt();
    int n = in.readInt();
    String realm = new String(counted(in), StandardCharsets.UTF_8);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      parts.add(new String(counted(in), StandardCharsets.UTF_8));
    }
    return type + ":" + realm + ":" + String.join("/", parts);
  }

  private static byte[] counted(DataInputStream in) throws Exception {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }

  @Test
  void theCacheIsWrittenOwnerOnlyReplacingAnOlderOneWholeAndLeavesNoTemporaryFile() throws Exception {
    Path cache = dir.resolve("krb5cc_1000");
    Files.writeString(cache, "old");
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rw-r--r--"));
    try (KerberosCredentials c = credentials()) {
      FileCredentialCache.write(cache, c);
      assertThat(Files.readAllBytes(cache)).isEqualTo(CcacheEncoder.encode(c));
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(cache);
    }
  }

  @Test
  void aLinkAtThePathIsReplacedNotFollowed() throws Exception {
    Path victim = Files.writeString(dir.resolve("victim"), "not a cache");
    Path cache = Files.createSymbolicLink(dir.resolve("cc"), victim);
    FileCredentialCache.write(cache, credentials());
    assertThat(Files.isSymbolicLink(cache)).isFalse();
    assertThat(Files.readString(victim)).isEqualTo("not a cache");
  }

  @Test
  void aFailedWriteLeavesNeitherACacheNorATemporaryFile() throws Exception {
    Path cache = Files.createDirectories(dir.resolve("a-folder"));
    Files.writeString(cache.resolve("inside"), "x"); // a non-empty folder cannot be replaced
    Throwable t = catchThrowable(() -> FileCredentialCache.write(cache, credentials()));
    assertThat(t).isInstanceOf(AgentException.class);
    assertThat(((AgentException) t).code()).isEqualTo(AgentErrorCode.KINIT_CCACHE_WRITE);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(cache);
    }
  }

  @Test
  void theSessionKeyNeverShowsInToString() {
    KerberosCredentials c = credentials();
    assertThat(c.toString()).contains("alice@EXAMPLE.COM", "aes256-cts-hmac-sha1-96")
        .doesNotContain(new String(KEY, StandardCharsets.US_ASCII));
    assertThat(c.sessionKey().toString()).doesNotContain("0123");
    c.close();
    assertThat(catchThrowable(() -> c.sessionKey().copy(dev.keytrust.secret.InsecureSecretAccess.get())))
        .isInstanceOf(IllegalStateException.class);
  }
}
