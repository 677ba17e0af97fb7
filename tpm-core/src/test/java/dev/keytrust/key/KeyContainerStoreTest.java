package dev.keytrust.key;

import static dev.keytrust.key.TestKeys.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.internal.Sha256;
import dev.keytrust.store.UserNames;
import java.io.BufferedReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyContainerStoreTest {
  @TempDir Path tmp;
  private Path root;
  private KeyContainerStore store;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("home/.keytrust/keys");
    store = new KeyContainerStore(root);
  }

  private Path keyFile(String user) throws KeytrustException {
    return store.userDirectory(user).resolve(KeyContainerStore.KEY_FILE);
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static void assertSameContainer(KeyContainer actual, KeyContainer expected) {
    assertThat(actual.user()).isEqualTo(expected.user());
    assertThat(actual.provider()).isEqualTo(expected.provider());
    assertThat(actual.algorithm()).isEqualTo(expected.algorithm());
    assertThat(actual.keyId()).isEqualTo(expected.keyId());
    assertThat(actual.publicKeyDer()).isEqualTo(expected.publicKeyDer());
    assertThat(actual.createdAt()).isEqualTo(expected.createdAt());
  }

  // ---- round trips -----------------------------------------------------------------------------

  @Test
  void softwareKeyRoundTripsEveryField() throws Exception {
    KeyContainer c = TestKeys.softwareContainer("alice");
    store.save(c);

    KeyContainer back = store.load("alice");

    assertSameContainer(back, c);
    SoftwareKeyBlob want = (SoftwareKeyBlob) c.protectedKey();
    SoftwareKeyBlob got = (SoftwareKeyBlob) back.protectedKey();
    assertThat(got.kdf()).isEqualTo(want.kdf());
    assertThat(got.salt()).isEqualTo(want.salt());
    assertThat(got.nonce()).isEqualTo(want.nonce());
    assertThat(got.ciphertext()).isEqualTo(want.ciphertext());
    assertThat(store.find("alice")).isPresent();
  }

  @Test
  void tpmKeyRoundTripsEveryFieldIncludingAPersistentHandleAboveIntMax() throws Exception {
    KeyContainer c = TestKeys.tpmContainer("alice");
    store.save(c);

    KeyContainer back = store.load("alice");

    assertSameContainer(back, c);
    TpmKeyBlobs want = (TpmKeyBlobs) c.protectedKey();
    TpmKeyBlobs got = (TpmKeyBlobs) back.protectedKey();
    assertThat(got.parentHandle()).isEqualTo(0x81000001);
    assertThat(got.parentName()).isEqualTo(want.parentName());
    assertThat(got.publicArea()).isEqualTo(want.publicArea());
    assertThat(got.privateArea()).isEqualTo(want.privateArea());
    assertThat(got.authSalt()).isEqualTo(want.authSalt());
  }

  @Test
  void keyFileIsStrictTextWithFormatVersionUserAndChecksum() throws Exception {
    store.save(TestKeys.tpmContainer("LAB\\alice"));

    List<String> lines = Files.readAllLines(keyFile("LAB\\alice"), StandardCharsets.UTF_8);

    assertThat(lines.get(0)).isEqualTo("format=keytrust-key");
    assertThat(lines.get(1)).isEqualTo("version=2");
    assertThat(lines).contains("user=LAB\\alice", "provider=tpm", "algorithm=p256", "parentHandle=81000001");
    assertThat(lines.get(lines.size() - 1)).matches("sha256=[0-9a-f]{64}");
  }

  // ---- existence -------------------------------------------------------------------------------

  @Test
  void savingASecondKeyForAUserIsKeyExistsAndKeepsTheFirst() throws Exception {
    KeyContainer first = TestKeys.softwareContainer("alice");
    store.save(first);

    KeytrustException e = failure(CoreErrorCode.KEY_EXISTS, () -> store.save(TestKeys.tpmContainer("alice")));

    assertThat(e.getMessage()).contains("Delete it first");
    assertThat(store.load("alice").keyId()).isEqualTo(first.keyId());
  }

  @Test
  void missingKeyIsEmptyOrKeyNotFound() throws Exception {
    assertThat(store.find("alice")).isEmpty();
    KeytrustException e = failure(CoreErrorCode.KEY_NOT_FOUND, () -> store.load("alice"));
    assertThat(e.getMessage()).contains("create one").contains(root.toString());
    failure(CoreErrorCode.KEY_NOT_FOUND, () -> store.delete("alice"));
    assertThat(store.users()).isEmpty();
    assertThat(root).doesNotExist();
  }

  @Test
  void deleteRemovesTheUsersDirectoryAndAllowsANewKey() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    store.save(TestKeys.softwareContainer("bob"));
    store.writeFileAtomically("alice", "counter", "x\n".getBytes(StandardCharsets.UTF_8));

    store.delete("alice");

    assertThat(store.userDirectory("alice")).doesNotExist();
    assertThat(store.find("alice")).isEmpty();
    assertThat(store.users()).containsExactly("bob");
    failure(CoreErrorCode.KEY_NOT_FOUND, () -> store.delete("alice"));
    store.save(TestKeys.tpmContainer("alice"));
    assertThat(store.load("alice").provider()).isEqualTo(ProviderKind.TPM);
  }

  @Test
  void deleteWorksOnADamagedKeyFile() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    Files.write(keyFile("alice"), "garbage".getBytes(StandardCharsets.UTF_8));

    store.delete("alice");

    assertThat(store.users()).isEmpty();
  }

  // ---- permissions -----------------------------------------------------------------------------

  @Test
  void createsOwnerOnlyDirectoriesAndFiles() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    store.writeFileAtomically("alice", "counter", "x\n".getBytes(StandardCharsets.UTF_8));

    assertThat(mode(tmp.resolve("home/.keytrust"))).isEqualTo("rwx------");
    assertThat(mode(root)).isEqualTo("rwx------");
    assertThat(mode(store.userDirectory("alice"))).isEqualTo("rwx------");
    assertThat(mode(keyFile("alice"))).isEqualTo("rw-------");
    assertThat(mode(store.userDirectory("alice").resolve("counter"))).isEqualTo("rw-------");
    assertThat(mode(root.resolve(KeyContainerStore.LOCK_FILE))).isEqualTo("rw-------");
  }

  @Test
  void rootAndUserDirectoryAndFileReadableByOthersAreMadeOwnerOnly() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(store.userDirectory("alice"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.setPosixFilePermissions(keyFile("alice"), PosixFilePermissions.fromString("rw-r--r--"));

    assertThat(store.load("alice").user()).isEqualTo("alice");

    assertThat(mode(root)).isEqualTo("rwx------");
    assertThat(mode(store.userDirectory("alice"))).isEqualTo("rwx------");
    assertThat(mode(keyFile("alice"))).isEqualTo("rw-------");
  }

  @Test
  void rootWritableByOthersIsRefused() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwx---"));

    KeytrustException e = failure(CoreErrorCode.STORE_PERMISSIONS, () -> store.load("alice"));

    assertThat(e.getMessage()).contains(root.toString()).contains("chmod 700");
    failure(CoreErrorCode.STORE_PERMISSIONS, () -> store.save(TestKeys.softwareContainer("bob")));
    failure(CoreErrorCode.STORE_PERMISSIONS, () -> store.users());
    assertThat(mode(root)).isEqualTo("rwxrwx---");
  }

  @Test
  void userDirectoryOrKeyFileWritableByOthersIsRefused() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    store.save(TestKeys.softwareContainer("bob"));
    Files.setPosixFilePermissions(store.userDirectory("alice"), PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(keyFile("bob"), PosixFilePermissions.fromString("rw-rw-rw-"));

    failure(CoreErrorCode.STORE_PERMISSIONS, () -> store.load("alice"));
    KeytrustException e = failure(CoreErrorCode.STORE_PERMISSIONS, () -> store.load("bob"));

    assertThat(e.getMessage()).contains(keyFile("bob").toString()).contains("chmod 600");
  }

  // ---- damage ----------------------------------------------------------------------------------

  @Test
  void truncatedKeyFileIsCorruptAndOtherUsersStillLoad() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    store.save(TestKeys.softwareContainer("bob"));
    byte[] data = Files.readAllBytes(keyFile("alice"));
    Files.write(keyFile("alice"), Arrays.copyOf(data, data.length / 2));

    KeytrustException e = failure(CoreErrorCode.STORE_CORRUPT, () -> store.load("alice"));

    assertThat(e.getMessage()).contains(keyFile("alice").toString()).contains("Delete the key of user 'alice' and create a new one");
    assertThat(store.load("bob").user()).isEqualTo("bob");
    assertThat(store.users()).containsExactly("alice", "bob");
  }

  @Test
  void fileCutAtALineEndIsCorrupt() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    List<String> lines = Files.readAllLines(keyFile("alice"));
    Files.write(keyFile("alice"), lines.subList(0, lines.size() - 1));

    failure(CoreErrorCode.STORE_CORRUPT, () -> store.load("alice"));
  }

  @Test
  void flippedByteIsCorruptNamingTheChecksum() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    store.save(TestKeys.tpmContainer("bob"));
    String text = Files.readString(keyFile("alice"));
    int at = text.indexOf("ciphertext=") + 20;
    byte[] data = Files.readAllBytes(keyFile("alice"));
    data[at] = (byte) (data[at] == 'A' ? 'B' : 'A');
    Files.write(keyFile("alice"), data);

    KeytrustException e = failure(CoreErrorCode.STORE_CORRUPT, () -> store.load("alice"));

    assertThat(e.getMessage()).contains("checksum").contains(keyFile("alice").toString());
    assertThat(store.load("bob").provider()).isEqualTo(ProviderKind.TPM);
  }

  @Test
  void unknownVersionIsVersionUnsupportedEvenWithAValidChecksum() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    store.save(TestKeys.softwareContainer("bob"));
    String text = Files.readString(keyFile("alice"));
    String body = text.substring(0, text.lastIndexOf("sha256=")).replace("version=2\n", "version=3\n");
    String resealed = body + "sha256=" + HexFormat.of().formatHex(Sha256.of(body.getBytes(StandardCharsets.UTF_8)))
        + "\n";
    Files.writeString(keyFile("alice"), resealed);

    KeytrustException e = failure(CoreErrorCode.STORE_VERSION_UNSUPPORTED, () -> store.load("alice"));

    assertThat(e.getMessage()).contains("version 3").contains(keyFile("alice").toString());
    assertThat(store.load("bob").user()).isEqualTo("bob");
  }

  @Test
  void editedFieldWithRecomputedChecksumIsStillCheckedForMeaning() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    String text = Files.readString(keyFile("alice"));
    String body = text.substring(0, text.lastIndexOf("sha256=")).replace("algorithm=p256", "algorithm=rsa2048");
    Files.writeString(keyFile("alice"), body + "sha256="
        + HexFormat.of().formatHex(Sha256.of(body.getBytes(StandardCharsets.UTF_8))) + "\n");

    failure(CoreErrorCode.STORE_CORRUPT, () -> store.load("alice"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "format=keytrust-key\n", "\u0000\u0001\u0002\n", "format=other\nversion=1\nsha256=00\n"})
  void garbageKeyFileIsCorruptAndOtherUsersStillLoad(String content) throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    store.save(TestKeys.softwareContainer("bob"));
    Files.writeString(keyFile("alice"), content);

    failure(CoreErrorCode.STORE_CORRUPT, () -> store.find("alice"));
    assertThat(store.load("bob").user()).isEqualTo("bob");
  }

  @Test
  void keyFileCopiedFromAnotherUserIsCorruptNamingTheOwner() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    store.save(TestKeys.softwareContainer("bob"));
    Files.copy(keyFile("bob"), keyFile("alice"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    KeytrustException e = failure(CoreErrorCode.STORE_CORRUPT, () -> store.load("alice"));

    assertThat(e.getMessage()).contains("belongs to user 'bob'");
  }

  @Test
  void usersSkipsStrayEntriesAndListsDamagedKeysSoTheyCanBeDeleted() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    store.save(TestKeys.softwareContainer("bob"));
    Files.writeString(keyFile("bob"), "garbage");
    Files.createDirectory(root.resolve("not%zzvalid"));
    Files.createDirectory(root.resolve("nokey"));
    Files.writeString(root.resolve("stray-file"), "x");
    Files.writeString(root.resolve(".hidden"), "x");

    assertThat(store.users()).containsExactly("alice", "bob");
    assertThat(store.load("alice").user()).isEqualTo("alice");
  }

  @Test
  void aUserDirectoryThatIsASymbolicLinkIsRefusedAndWhatItPointsToIsNeverTouched() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    Path victim = Files.createDirectory(tmp.resolve("victim"));
    Map<String, String> precious = Map.of("key", "not a keytrust file", "counter", "mine", "notes.txt", "mine too");
    for (Map.Entry<String, String> f : precious.entrySet()) {
      Files.writeString(victim.resolve(f.getKey()), f.getValue());
    }
    Path link = Files.createSymbolicLink(store.userDirectory("bob"), victim);

    KeytrustException e = failure(CoreErrorCode.STORE_CORRUPT, () -> store.delete("bob"));

    assertThat(e.getMessage()).contains(link.toString()).contains("symbolic link to " + victim)
        .contains("nothing was deleted");
    failure(CoreErrorCode.STORE_CORRUPT, () -> store.find("bob"));
    failure(CoreErrorCode.STORE_CORRUPT, () -> store.save(TestKeys.softwareContainer("bob")));
    failure(CoreErrorCode.STORE_CORRUPT, () -> store.writeFileAtomically("bob", "counter", new byte[] {1}));
    failure(CoreErrorCode.STORE_CORRUPT, () -> store.deleteFile("bob", "counter"));
    assertThat(store.users()).containsExactly("alice");
    assertThat(Files.isSymbolicLink(link)).as("the link itself is left for the owner to look at").isTrue();
    try (var entries = Files.list(victim)) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(precious.keySet());
    }
    for (Map.Entry<String, String> f : precious.entrySet()) {
      assertThat(Files.readString(victim.resolve(f.getKey()))).isEqualTo(f.getValue());
    }
    store.delete("alice");
    assertThat(store.users()).isEmpty();
  }

  @Test
  void nonDirectoryUserEntryIsCorrupt() throws Exception {
    store.save(TestKeys.softwareContainer("bob"));
    Files.writeString(root.resolve("alice"), "x");

    failure(CoreErrorCode.STORE_CORRUPT, () -> store.load("alice"));
    assertThat(store.users()).containsExactly("bob");
  }

  // ---- crash leftovers -------------------------------------------------------------------------

  @Test
  void staleTemporaryFilesAreIgnoredAndOldOnesRemovedByTheNextWrite() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    Path dir = store.userDirectory("alice");
    Path old = dir.resolve(".key.0123456789abcdef.tmp");
    Path recent = dir.resolve(".counter.fedcba9876543210.tmp");
    Files.writeString(old, "format=keytrust-key\nversi");
    Files.writeString(recent, "half");
    Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));

    assertThat(store.load("alice").user()).isEqualTo("alice");
    assertThat(store.users()).containsExactly("alice");

    store.writeFileAtomically("alice", "counter", "x\n".getBytes(StandardCharsets.UTF_8));

    assertThat(old).doesNotExist();
    assertThat(recent).exists();
    assertThat(Files.readString(dir.resolve("counter"))).isEqualTo("x\n");
  }

  @Test
  void saveRemovesFilesLeftByAnInterruptedDelete() throws Exception {
    Path dir = store.userDirectory("alice");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(dir.resolve("counter"), "old");
    Files.writeString(dir.resolve("counter-secret"), "old");

    store.save(TestKeys.softwareContainer("alice"));

    assertThat(dir.resolve("counter")).doesNotExist();
    assertThat(dir.resolve("counter-secret")).doesNotExist();
    assertThat(store.load("alice").user()).isEqualTo("alice");
  }

  @Test
  void stateFilesNeedASavedKey() {
    failure(CoreErrorCode.KEY_NOT_FOUND,
        () -> store.writeFileAtomically("alice", "counter", new byte[] {1}));
  }

  @Test
  void stateFilesReplaceAtomicallyAndReadBack() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    assertThat(store.readFile("alice", "counter")).isEmpty();

    store.writeFileAtomically("alice", "counter", new byte[] {1, 2});
    store.writeFileAtomically("alice", "counter", new byte[] {3});

    assertThat(store.readFile("alice", "counter")).hasValueSatisfying(b -> assertThat(b).containsExactly(3));
    try (var entries = Files.list(store.userDirectory("alice"))) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("key", "counter");
    }
    store.deleteFile("alice", "counter");
    assertThat(store.readFile("alice", "counter")).isEmpty();
  }

  // ---- provider state written with the key, and the store lock --------------------------------

  private static KeyContainer withState(KeyContainer c, Map<String, byte[]> state) {
    SoftwareKeyBlob b = (SoftwareKeyBlob) c.protectedKey();
    return new KeyContainer(c.user(), c.provider(), c.algorithm(), c.keyId(), c.publicKeyDer(), c.createdAt(),
        new SoftwareKeyBlob(b.kdf(), b.salt(), b.nonce(), b.ciphertext(), b.counterId(), state));
  }

  @Test
  void saveWritesTheInitialStateAndAFailedSaveTouchesNothing() throws Exception {
    Path dir = store.userDirectory("alice");
    store.save(withState(TestKeys.softwareContainer("alice"),
        Map.of("counter", "first\n".getBytes(StandardCharsets.UTF_8), "counter-secret", new byte[] {1})));

    assertThat(Files.readString(dir.resolve("counter"))).isEqualTo("first\n");
    assertThat(Files.readAllBytes(dir.resolve("counter-secret"))).containsExactly(1);
    assertThat(mode(dir.resolve("counter"))).isEqualTo("rw-------");
    store.writeFileAtomically("alice", "counter", "used\n".getBytes(StandardCharsets.UTF_8));

    failure(CoreErrorCode.KEY_EXISTS, () -> store.save(withState(TestKeys.softwareContainer("alice"),
        Map.of("counter", "second\n".getBytes(StandardCharsets.UTF_8), "extra", new byte[] {2}))));

    assertThat(Files.readString(dir.resolve("counter"))).isEqualTo("used\n");
    assertThat(dir.resolve("extra")).doesNotExist();
  }

  @Test
  void aStateFileNamedLikeTheKeyFileIsABugAndNothingIsWritten() throws Exception {
    KeyContainer bad = withState(TestKeys.softwareContainer("alice"), Map.of("key", new byte[] {1}));

    assertThatThrownBy(() -> store.save(bad)).isInstanceOf(KeytrustBugException.class);

    assertThat(root).doesNotExist();
  }

  @Test
  void concurrentSavesForOneUserLeaveOneKeyWithItsOwnState() throws Exception {
    int threads = 6;
    List<KeyContainer> keys = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      keys.add(withState(TestKeys.softwareContainer("alice"),
          Map.of("counter", ("state of " + i + "\n").getBytes(StandardCharsets.UTF_8))));
    }
    List<TestKeys.Attempt> saves = new ArrayList<>();
    for (KeyContainer k : keys) {
      saves.add(() -> store.save(k));
    }
    List<ErrorCode> codes = TestKeys.startTogether(saves);
    assertThat(codes).filteredOn(c -> c == null).hasSize(1);
    assertThat(codes).filteredOn(c -> c == CoreErrorCode.KEY_EXISTS).hasSize(threads - 1);
    byte[] stored = store.load("alice").keyId();
    int winner = -1;
    for (int i = 0; i < threads; i++) {
      if (Arrays.equals(keys.get(i).keyId(), stored)) {
        winner = i;
      }
    }
    assertThat(Files.readString(store.userDirectory("alice").resolve("counter")))
        .isEqualTo("state of " + winner + "\n");
  }

  @Test
  void whileAnotherProcessHoldsTheStoreLockSaveAndDeleteWaitForIt() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    Path alice = keyFile("alice");
    Path bob = keyFile("bob");
    Path errors = tmp.resolve("holder-stderr.txt");
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), StoreLockHolder.class.getName(),
        root.toString(), alice.toString(), bob.toString())
        .redirectError(errors.toFile())
        .start();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      BlockingQueue<String> said = new LinkedBlockingQueue<>();
      pool.submit(() -> {
        try (BufferedReader out = holder.inputReader(StandardCharsets.UTF_8)) {
          for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(StoreLockHolder.PREFIX)) {
              said.add(line.substring(StoreLockHolder.PREFIX.length()));
            }
          }
        }
        return null;
      });
      assertThat(said.poll(60, TimeUnit.SECONDS)).as(() -> "the helper process's stderr: " + readOrEmpty(errors))
          .isEqualTo("locked");

      Future<?> saving = pool.submit(() -> {
        store.save(TestKeys.softwareContainer("bob"));
        return null;
      });
      Future<?> deleting = pool.submit(() -> {
        store.delete("alice");
        return null;
      });

      assertThatThrownBy(() -> saving.get(2, TimeUnit.SECONDS)).as("the save waits for the other process")
          .isInstanceOf(TimeoutException.class);
      assertThat(deleting.isDone()).as("the delete waits for the other process").isFalse();
      Writer in = holder.outputWriter(StandardCharsets.UTF_8);
      in.write("release\n");
      in.flush();
      assertThat(said.poll(60, TimeUnit.SECONDS)).isEqualTo("while locked: " + alice + " exists");
      assertThat(said.poll(60, TimeUnit.SECONDS)).isEqualTo("while locked: " + bob + " absent");
      assertThat(said.poll(60, TimeUnit.SECONDS)).isEqualTo("released");
      saving.get(60, TimeUnit.SECONDS);
      deleting.get(60, TimeUnit.SECONDS);
      assertThat(store.users()).containsExactly("bob");
      assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(holder.exitValue()).as(() -> "the helper process's stderr: " + readOrEmpty(errors)).isZero();
    } finally {
      holder.destroyForcibly();
      holder.waitFor(10, TimeUnit.SECONDS);
      pool.shutdownNow();
    }
  }

  private static String readOrEmpty(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  @Test
  void theLockFileCarriesAVersionAndIsNeverRewritten() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    Path lock = root.resolve(KeyContainerStore.LOCK_FILE);
    List<String> lines = Files.readAllLines(lock);
    FileTime made = Files.getLastModifiedTime(lock);
    Object inode = Files.readAttributes(lock, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

    store.save(TestKeys.softwareContainer("bob"));
    store.delete("alice");

    assertThat(lines).containsExactly("format=keytrust-store-lock", "version=1", lines.get(2));
    assertThat(lines.get(2)).matches("sha256=[0-9a-f]{64}");
    assertThat(Files.getLastModifiedTime(lock)).isEqualTo(made);
    assertThat(Files.readAttributes(lock, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
        .isEqualTo(inode);
    assertThat(store.users()).containsExactly("bob");
  }

  @Test
  void aLockFileOfAnotherVersionIsVersionUnsupportedAndADamagedOneStillLocks() throws Exception {
    store.save(TestKeys.softwareContainer("alice"));
    Path lock = root.resolve(KeyContainerStore.LOCK_FILE);
    String body = "format=keytrust-store-lock\nversion=2\n";
    Files.writeString(lock, body + "sha256="
        + HexFormat.of().formatHex(Sha256.of(body.getBytes(StandardCharsets.UTF_8))) + "\n");

    KeytrustException e = failure(CoreErrorCode.STORE_VERSION_UNSUPPORTED,
        () -> store.save(TestKeys.softwareContainer("bob")));
    assertThat(e.getMessage()).contains(lock.toString()).contains("version 2");
    failure(CoreErrorCode.STORE_VERSION_UNSUPPORTED, () -> store.delete("alice"));
    assertThat(store.load("alice").user()).as("reading needs no lock").isEqualTo("alice");

    Files.writeString(lock, "");
    store.save(TestKeys.softwareContainer("bob"));
    store.delete("alice");
    assertThat(store.users()).containsExactly("bob");
  }

  // ---- user names ------------------------------------------------------------------------------

  static java.util.stream.Stream<String> oddUserNames() {
    return java.util.stream.Stream.of("alice", "alice@lab.test", "LAB\\alice", "Jörg Müller", ".", "..", ".hidden",
        "trailing.", "CON", "nul.txt", "a/b", "../../etc", "%41", "a b", "日本語",
        "x".repeat(KeyContainerStore.MAX_USER_LENGTH));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("oddUserNames")
  void oddUserNamesRoundTripInTheirOwnDirectoryUnderTheRoot(String user) throws Exception {
    store.save(TestKeys.softwareContainer(user));
    store.save(TestKeys.softwareContainer("other"));

    Path dir = store.userDirectory(user);
    assertThat(dir.getParent()).isEqualTo(root);
    assertThat(dir.getFileName().toString()).matches("[A-Za-z0-9._@%-]+").doesNotStartWith(".");
    assertThat(store.load(user).user()).isEqualTo(user);
    assertThat(store.users()).containsExactlyInAnyOrder(user, "other");
    assertThat(UserNames.userFromDirectoryName(dir.getFileName().toString())).hasValue(user);
  }

  @Test
  void directoryNamesAreReadable() throws Exception {
    assertThat(UserNames.directoryName("alice@lab.test")).isEqualTo("alice@lab.test");
    assertThat(UserNames.directoryName("LAB\\alice")).isEqualTo("LAB%5Calice");
    assertThat(UserNames.directoryName("..")).isEqualTo("%2E%2E");
    assertThat(UserNames.directoryName("CON")).isEqualTo("%43ON");
    assertThat(UserNames.directoryName("é")).isEqualTo("%C3%A9");
    assertThat(UserNames.userFromDirectoryName("%61lice")).as("not canonical").isEmpty();
    assertThat(UserNames.userFromDirectoryName("LAB%5calice")).as("lower-case hex").isEmpty();
    assertThat(UserNames.userFromDirectoryName("a%")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a\nb", "tab\there", "nul\u0000"})
  void invalidUserNamesAreInvalidArgument(String user) {
    failure(CoreErrorCode.INVALID_ARGUMENT, () -> store.userDirectory(user));
    failure(CoreErrorCode.INVALID_ARGUMENT, () -> store.load(user));
  }

  @Test
  void overLongUserNamesAreInvalidArgument() {
    failure(CoreErrorCode.INVALID_ARGUMENT, () -> store.userDirectory("x".repeat(KeyContainerStore.MAX_USER_LENGTH + 1)));
    KeytrustException e = failure(CoreErrorCode.INVALID_ARGUMENT, () -> store.userDirectory("é".repeat(60)));
    assertThat(e.getMessage()).contains("too long");
    failure(CoreErrorCode.INVALID_ARGUMENT, () -> store.userDirectory(null));
    failure(CoreErrorCode.INVALID_ARGUMENT, () -> store.userDirectory("bad\uD800surrogate"));
  }

  @Test
  void defaultRootIsUnderUserHome() {
    assertThat(KeyContainerStore.defaultRoot())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".keytrust", "keys"));
    assertThat(store.root()).isEqualTo(root.toAbsolutePath().normalize());
  }
}
