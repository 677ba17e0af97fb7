package dev.keytrust.agent.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.Argon2Parameters;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.SoftwareKeyProvider;
import dev.keytrust.key.SoftwareLockoutPolicy;
import dev.keytrust.secret.TestPins;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserRecordsTest {
  @TempDir Path tmp;
  private Path root;
  private KeyContainerStore store;
  private UserRecords records;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("keys");
    store = new KeyContainerStore(root);
    records = new UserRecords(store);
  }

  private static UserRecord journal(String step) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("step", step);
    fields.put("keyId", "abc=");
    return new UserRecord("keytrustJournal", 1, fields);
  }

  @Test
  void aRecordIsWrittenReadBackAndReplaced() throws Exception {
    assertThat(records.read("alice", "journal", "keytrustJournal", 1)).isEmpty();
    records.write("alice", "journal", journal("key"));
    assertThat(records.read("alice", "journal", "keytrustJournal", 1)).contains(journal("key"));
    records.write("alice", "journal", journal("registered"));
    UserRecord read = records.read("alice", "journal", "keytrustJournal", 1).orElseThrow();
    assertThat(read.get("step")).isEqualTo("registered");
    assertThat(read.fields().keySet()).containsExactly("step", "keyId");
    Path file = root.resolve(".records/alice/journal");
    assertThat(Files.getPosixFilePermissions(file)).hasSize(2);
    assertThat(Files.readString(file)).startsWith("format=keytrustJournal\nversion=1\nstep=registered\n");
  }

  @Test
  void recordsSurviveKeySaveAndDeleteAndAreNotUsers() throws Exception {
    records.write("alice", "journal", journal("key"));
    store.save(new SoftwareKeyProvider(store, new Argon2Parameters(64, 1, 1), Clock.systemUTC(),
        SoftwareLockoutPolicy.DEFAULT).create("alice", KeyAlgorithm.ECC_P256, TestPins.pin("1234")));
    store.delete("alice");
    assertThat(records.read("alice", "journal", "keytrustJournal", 1)).contains(journal("key"));
    assertThat(store.users()).isEmpty();
  }

  @Test
  void aDamagedRecordIsCorruptAndNamesItsFile() throws Exception {
    records.write("alice", "journal", journal("key"));
    Path file = root.resolve(".records/alice/journal");
    Files.writeString(file, Files.readString(file).replace("step=key", "step=kez"));
    assertThatThrownBy(() -> records.read("alice", "journal", "keytrustJournal", 1))
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_CORRUPT);
          assertThat(e.getMessage()).contains(file.toString()).contains("checksum");
        });
  }

  @Test
  void aRecordOfAnotherFormatOrANewerVersionIsRefused() throws Exception {
    records.write("alice", "journal", journal("key"));
    assertThatThrownBy(() -> records.read("alice", "journal", "keytrustReceipt", 1))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_CORRUPT));
    records.write("alice", "receipt", new UserRecord("keytrustReceipt", 2, Map.of("kid", "x")));
    assertThatThrownBy(() -> records.read("alice", "receipt", "keytrustReceipt", 1))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_VERSION_UNSUPPORTED));
  }

  @Test
  void deletingARecordIsIdempotent() throws Exception {
    records.delete("alice", "journal");
    records.write("alice", "journal", journal("key"));
    records.delete("alice", "journal");
    records.delete("alice", "journal");
    assertThat(records.read("alice", "journal", "keytrustJournal", 1)).isEmpty();
  }

  @Test
  void aRecordDirectoryThatIsASymlinkIsNeverFollowed() throws Exception {
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.createDirectories(root.resolve(".records"));
    Files.createSymbolicLink(root.resolve(".records/alice"), elsewhere);
    assertThatThrownBy(() -> records.write("alice", "journal", journal("key")))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_CORRUPT));
    try (var files = Files.list(elsewhere)) {
      assertThat(files).isEmpty();
    }
  }

  /**
   * Record writes under the user's lock rely on the check and the clean-up made when the lock was
   * taken (UserRecords' class comment): taking it refuses a linked record directory and removes the
   * temporary files interrupted writes left, once they are older than ten minutes.
   */
  @Test
  void takingTheLockChecksTheRecordDirectoryAndRemovesStaleTemporaryFiles() throws Exception {
    records.write("alice", "journal", journal("key"));
    Path dir = root.resolve(".records/alice");
    Path old = dir.resolve(".journal.0123456789abcdef.tmp");
    Path recent = dir.resolve(".receipt.fedcba9876543210.tmp");
    Files.writeString(old, "format=keytrustJournal\nversi");
    Files.writeString(recent, "half");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));

    try (UserLock lock = records.lock("alice")) {
      assertThat(old).doesNotExist();
      assertThat(recent).exists();
      records.write("alice", "journal", journal("registered"));
    }
    assertThat(records.read("alice", "journal", "keytrustJournal", 1).orElseThrow().get("step"))
        .isEqualTo("registered");

    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
    Files.createSymbolicLink(dir.resolveSibling("bob"), elsewhere);
    assertThatThrownBy(() -> records.lock("bob"))
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_CORRUPT));
    try (var files = Files.list(elsewhere)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void theUserLockIsExclusiveInOneJvmAndFreedOnClose() throws Exception {
    try (UserLock lock = records.lock("alice")) {
      assertThatThrownBy(() -> new UserRecords(new KeyContainerStore(root)).lock("alice"))
          .isInstanceOfSatisfying(KeytrustException.class, e -> {
            assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_BUSY);
            assertThat(e.getMessage()).contains("alice").contains("Wait");
          });
      try (UserLock other = records.lock("bob")) {
        assertThat(other).isNotNull();
      }
    }
    try (UserLock again = records.lock("alice")) {
      assertThat(again).isNotNull();
    }
  }

  @Test
  void theUserLockExcludesAnotherProcessUntilThatProcessIsKilled() throws Exception {
    Path errors = tmp.resolve("holder-stderr.txt");
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), UserLockHolder.class.getName(), root.toString(), "alice")
        .redirectError(errors.toFile())
        .start();
    try {
      try (BufferedReader out = holder.inputReader(StandardCharsets.UTF_8)) {
        assertThat(out.readLine()).as(() -> "stderr: " + read(errors)).isEqualTo("holder: locked");
        assertThatThrownBy(() -> records.lock("alice"))
            .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.STORE_BUSY));
        holder.destroyForcibly();
        assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
      }
      try (UserLock lock = records.lock("alice")) {
        assertThat(lock).isNotNull();
      }
    } finally {
      holder.destroyForcibly();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (Exception e) {
      return "";
    }
  }
}
