package dev.keytrust.agent.cli;

import static dev.keytrust.agent.cli.KinitLab.PIN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.keytrust.key.KeyContainer;
import dev.keytrust.lab.ProcessResult;
import dev.keytrust.lab.ProcessRunner;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.lab.kdc.KeyTrustKdc;
import dev.keytrust.tpm.DictionaryAttackState;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code keytrust pam-auth} in a real PAM stack: Linux-PAM's pam_exec ({@code expose_authtok
 * stdout}, without {@code quiet} so that its "failed: exit code N" shows which PAM result keytrust
 * gave) runs {@code scripts/keytrust-pam-auth}, driven by {@code pamtester}, against the lab KDC
 * (Samba 4.24) with alice's RSA key in swtpm. The test makes two Linux users of its own (one with
 * a key, one without), writes two PAM service files into /etc/pam.d (keytrust {@code sufficient},
 * then pam_deny, or then a module that lets the user in and says so: "the next module decides"),
 * and removes users, service files and caches at the end.
 *
 * <ul>
 *   <li>the right PIN: success, and a TGT MIT klist shows in {@code /tmp/krb5cc_<uid>}, owned by
 *       the user, 0600; the key store's files stay the user's;
 *   <li>a wrong PIN: failure, exit code 7, and the TPM's try counter went down by one;
 *   <li>a user without a key: exit code 9 (unavailable), and the next module decides;
 *   <li>a caller other than root asking for another user's ticket: exit code 6, no cache;
 *   <li>the KDC stopped: exit code 9 within a bounded time, the next module decides.
 * </ul>
 *
 * <p>Needs root, pamtester and the lab KDC: runs under CI, skipped elsewhere without them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PamAuthOnKdcTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();
  private static final Duration PAMTESTER_TIMEOUT = Duration.ofSeconds(90);
  private static final String WRONG_PIN = "Wr0ng-Pin-662";

  private KinitLab lab;
  private final String suffix = HexFormat.of().formatHex(randomBytes(3));
  private final String withKey = "ktpa" + suffix;
  private final String withoutKey = "ktpb" + suffix;
  private final String service = "keytrust-test-" + suffix;
  private final String serviceNext = "keytrust-test-" + suffix + "-next";
  private final List<String> usersMade = new ArrayList<>();
  private final List<Path> filesMade = new ArrayList<>();
  private final List<String> printed = new ArrayList<>();
  private Path confDir;
  private int aliceUid;
  private int aliceGid;
  private int bobUid;
  private int bobGid;
  private String tpm;

  @BeforeAll
  void setUp() throws Exception {
    assumeThat(KinitLab.available()).as("the lab KDC can run here (root, debootstrap)").isTrue();
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(ProcessRunner.onPath("pamtester")).as("pamtester is installed").isTrue();
    }
    lab = KinitLab.start(Files.createTempDirectory("keytrust-pam-test-"), "PamAuthOnKdcTest");
    KeyTrustKdc.User alice = lab.kdc.createUser("alice");
    tpm = SWTPM.swtpm().tpmUri();
    KeyContainer key = lab.createKey(alice.upn(), tpm, "rsa2048");
    lab.register(alice, key.publicKey());

    // the Linux users
    for (String u : List.of(withKey, withoutKey)) {
      ProcessResult r = root(List.of("useradd", "--system", "--no-create-home", "--user-group",
          "--shell", "/usr/sbin/nologin", u));
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      usersMade.add(u);
    }
    int[] a = ids(withKey);
    aliceUid = a[0];
    aliceGid = a[1];
    int[] b = ids(withoutKey);
    bobUid = b[0];
    bobGid = b[1];
    // alice's key store is hers (pam-auth runs as root and gives back what it touches)
    assertThat(root(List.of("chown", "-R", aliceUid + ":" + aliceGid, lab.store.toString())).exitCode()).isZero();
    cleanCaches();

    // the configuration: root's, readable by all (the non-root caller reads it too)
    confDir = Files.createTempDirectory("keytrust-pam-conf-");
    Files.setPosixFilePermissions(confDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path conf = confDir.resolve("pam.conf");
    Files.writeString(conf, String.join("\n",
        "# keytrust pam-auth, written by PamAuthOnKdcTest",
        "realm = " + KeyTrustKdc.REALM,
        "kdc = " + lab.kdc.address(),
        "kdc-ca = " + lab.kdc.caFile(),
        "tpm = " + tpm,
        "kdc-timeout = 3s",
        "[user " + withKey + "]",
        "upn = " + alice.upn(),
        "store = " + lab.store,
        "[users ktpb*]",
        "upn = bob@keytrust.lab",
        "store = " + confDir.resolve("no-keys-here"),
        ""));
    Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r--r--"));

    String exec = launcher() + " --java " + java() + " --jar " + KeytrustJarPath.get() + " --config " + conf;
    writePamFile(service, "auth sufficient pam_exec.so expose_authtok stdout " + exec + "\n"
        + "auth required pam_deny.so\n");
    writePamFile(serviceNext, "auth sufficient pam_exec.so expose_authtok stdout " + exec + "\n"
        + "auth required pam_exec.so stdout /bin/echo keytrust-test: the next module decides\n");
  }

  @AfterAll
  void tearDown() throws Exception {
    try {
      for (Path f : filesMade) {
        Files.deleteIfExists(f);
      }
      cleanCaches();
      for (String u : usersMade) {
        root(List.of("userdel", u));
      }
      if (confDir != null) {
        try (Stream<Path> s = Files.walk(confDir)) {
          s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    } finally {
      if (lab != null) {
        lab.close();
      }
    }
    for (String u : List.of(withKey, withoutKey)) {
      assertThat(root(List.of("getent", "passwd", u)).exitCode()).as("user " + u + " removed").isNotZero();
    }
    assertThat(Path.of("/etc/pam.d", service)).doesNotExist();
    assertThat(Path.of("/etc/pam.d", serviceNext)).doesNotExist();
  }

  @Test
  @Order(1)
  void theRightPinSignsInAndTheUsersCacheHoldsATgtKlistShows() throws Exception {
    ProcessResult r = pamtester(service, withKey, PIN);

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    assertThat(r.stdout() + r.stderr()).contains("successfully authenticated",
        "keytrust: signed in: Kerberos ticket for alice@KEYTRUST.LAB in FILE:/tmp/krb5cc_" + aliceUid);
    Path cache = Path.of("/tmp/krb5cc_" + aliceUid);
    assertThat((Integer) Files.getAttribute(cache, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(aliceUid);
    assertThat((Integer) Files.getAttribute(cache, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(aliceGid);
    assertThat(Files.getPosixFilePermissions(cache)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    ProcessResult klist = lab.klist(cache);
    assertThat(klist.exitCode()).as(klist.stderr()).isZero();
    assertThat(klist.stdout()).contains("Default principal: alice@KEYTRUST.LAB",
        "krbtgt/KEYTRUST.LAB@KEYTRUST.LAB");
    // pam-auth ran as root in alice's key store: what it made or replaced there is hers again
    try (Stream<Path> files = Files.walk(lab.store)) {
      assertThat(files.filter(p -> !p.equals(lab.store)).toList()).isNotEmpty().allSatisfy(p ->
          assertThat((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS))
              .as("owner of " + p).isEqualTo(aliceUid));
    }
    assertThat(new String(Files.readAllBytes(cache), StandardCharsets.ISO_8859_1)).doesNotContain(PIN);
  }

  @Test
  @Order(2)
  void aWrongPinFailsAndTheTpmsTryCounterWentDownByOne() throws Exception {
    DictionaryAttackState before = daState();

    ProcessResult r = pamtester(service, withKey, WRONG_PIN);

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stdout() + r.stderr()).contains("keytrust: auth error: wrong PIN (",
        "tries left before the key locks) [KT-0201]", "failed: exit code 7", "Authentication failure");
    DictionaryAttackState after = daState();
    assertThat(after.lockoutCounter()).isEqualTo(before.lockoutCounter() + 1);
    assertThat(after.triesLeft()).isEqualTo(before.triesLeft() - 1);
  }

  @Test
  @Order(3)
  void aUserWithoutAKeyIsUnavailableAndTheNextModuleDecides() throws Exception {
    ProcessResult r = pamtester(serviceNext, withoutKey, "Any-Pin-1234");

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    assertThat(r.stdout() + r.stderr()).contains("keytrust: unavailable: " + withoutKey
        + " has no keytrust key", "[KT-1809]", "failed: exit code 9",
        "keytrust-test: the next module decides", "successfully authenticated");
    assertThat(Path.of("/tmp/krb5cc_" + bobUid)).doesNotExist();
  }

  @Test
  @Order(4)
  void aCallerOtherThanRootCannotGetAnotherUsersTicket() throws Exception {
    Files.deleteIfExists(Path.of("/tmp/krb5cc_" + aliceUid));
    List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + bobUid, "--regid=" + bobGid,
        "--clear-groups", launcher().toString(), "--java", java().toString(),
        "--jar", KeytrustJarPath.get().toString(), "--config", confDir.resolve("pam.conf").toString()));
    ProcessResult r = ProcessRunner.run(command, true, Map.of("PAM_SERVICE", service,
        "PAM_USER", withKey, "PAM_TYPE", "auth"), Path.of("/"), (PIN + "\0").getBytes(StandardCharsets.UTF_8),
        PAMTESTER_TIMEOUT, "");
    printed.add(r.stdout() + r.stderr());

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(6);
    assertThat(r.stdout()).startsWith("keytrust: permission denied: keytrust runs as uid " + bobUid)
        .contains("[KT-1806]");
    assertThat(r.stdout().strip().lines()).hasSize(1);
    assertThat(r.stderr()).isEmpty();
    assertThat(Path.of("/tmp/krb5cc_" + aliceUid)).doesNotExist();
  }

  @Test
  @Order(5)
  void withTheKdcStoppedTheRightPinIsUnavailableWithinABoundedTime() throws Exception {
    DictionaryAttackState before = daState();
    lab.kdc.close();
    assertThat(KeyTrustKdc.listening(lab.kdc.address(), KeyTrustKdc.KDC_PORT)).isFalse();

    long t0 = System.nanoTime();
    ProcessResult r = pamtester(serviceNext, withKey, PIN);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(took).as("pamtester with the KDC stopped").isLessThan(Duration.ofSeconds(30));
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    assertThat(r.stdout() + r.stderr()).contains("keytrust: unavailable: ", "[KT-1718]",
        "failed: exit code 9", "keytrust-test: the next module decides");
    // the PIN was right: the TPM counted no failure
    assertThat(daState().lockoutCounter()).isEqualTo(before.lockoutCounter());
  }

  @Test
  @Order(6)
  void noPinWasEverPrinted() {
    assertThat(printed).isNotEmpty().allSatisfy(s -> assertThat(s).doesNotContain(PIN).doesNotContain(WRONG_PIN));
  }

  // ---- helpers ----

  private ProcessResult pamtester(String pamService, String user, String pin) {
    long t0 = System.nanoTime();
    ProcessResult r = ProcessRunner.run(List.of("pamtester", pamService, user, "authenticate"),
        Map.of(), Path.of("/"), (pin + "\n").getBytes(StandardCharsets.UTF_8), PAMTESTER_TIMEOUT, "");
    printed.add(r.stdout() + r.stderr());
    // for the record (the report's output file); checked for PINs in noPinWasEverPrinted
    System.out.printf("$ pamtester %s %s authenticate   (exit %d, %d ms)%n%s%s%n", pamService, user,
        r.exitCode(), (System.nanoTime() - t0) / 1_000_000, r.stdout(), r.stderr());
    return r;
  }

  private DictionaryAttackState daState() throws Exception {
    try (TpmSession s = TpmSession.open(TpmUri.parse(tpm))) {
      return s.dictionaryAttackState();
    }
  }

  private void writePamFile(String name, String content) throws Exception {
    Path f = Path.of("/etc/pam.d", name);
    assertThat(f).as("a PAM service of that name exists already").doesNotExist();
    filesMade.add(f);
    Files.writeString(f, "# written by keytrust's PamAuthOnKdcTest; removed by it\n" + content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
  }

  private void cleanCaches() throws Exception {
    for (int uid : new int[] {aliceUid, bobUid}) {
      if (uid > 0) {
        Files.deleteIfExists(Path.of("/tmp/krb5cc_" + uid));
      }
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  private static int[] ids(String user) {
    ProcessResult r = root(List.of("getent", "passwd", user));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    String[] f = r.stdout().strip().split(":");
    return new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])};
  }

  private static ProcessResult root(List<String> command) {
    return ProcessRunner.run(command, Map.of(), Path.of("/"), new byte[0], Duration.ofSeconds(60), "");
  }

  /** scripts/keytrust-pam-auth of this checkout. */
  private static Path launcher() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent()
        .resolve("scripts/keytrust-pam-auth");
    assertThat(p).isExecutable();
    return p;
  }

  private static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  /** The packaged CLI jar (the simulator-tests pom names it). */
  private static final class KeytrustJarPath {
    static Path get() {
      Path jar = Path.of(System.getProperty("keytrust.cli.jar", "missing"));
      assertThat(jar).as("the CLI jar: run 'mvn verify' (the package phase builds it)").isRegularFile();
      return jar;
    }
  }
}
