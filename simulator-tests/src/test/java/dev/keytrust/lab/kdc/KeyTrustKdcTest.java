package dev.keytrust.lab.kdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.credential.KeySource;
import dev.keytrust.lab.ProcessResult;
import dev.keytrust.lab.ProcessRunner;
import dev.keytrust.lab.SambaDc;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lab KDC against itself and real Kerberos clients: one {@link KeyTrustKdc} for the class
 * (built on first use into the cache, about 1-2 minutes; about 8 s to start once cached), alice's
 * RSA-2048 key registered as a BCRYPT RSA1 msDS-KeyCredentialLink value by keytrust's LDAP
 * endpoint bound as the sync account, Heimdal's {@code kinit -C} inside the chroot signing in with
 * a self-signed certificate around that key (key trust), MIT {@code klist}/{@code kvno} on the host
 * with the KDC's krb5.conf, an unregistered key refused, and {@link KeyTrustKdc#close()} leaving no
 * process, no mount and the system's Samba running.
 *
 * <p>Needs root and debootstrap (or a cached root) and the Debian mirror. Under CI ({@code
 * CI=true}) it always runs (a missing piece fails it); elsewhere it is skipped, with the reason,
 * when not root or without debootstrap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyTrustKdcTest {
  private static final Duration KINIT_TIMEOUT = Duration.ofSeconds(60);

  private Path state;
  private KeyTrustKdc kdc;
  private KeyTrustKdc.User alice;
  private Path syncCredentials;
  private final List<String> progress = new ArrayList<>();

  @BeforeAll
  void startKdc() throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(KeyTrustKdc.unavailableReason()).as("the lab KDC can run here").isEmpty();
    }
    // not @TempDir: the folder is deleted only after a check that nothing is mounted under it
    state = Files.createTempDirectory("keytrust-kdc-test-");
    kdc = KeyTrustKdc.start(state.resolve("kdc"), KeyTrustKdc.Options.defaults()
        .withAddress(KeyTrustKdc.firstFreeAddress())
        .withProgress(line -> {
          progress.add(line);
          System.out.println("KeyTrustKdcTest: " + line);
        }));
    alice = kdc.createUser("alice");
    syncCredentials = kdc.setUpKeySync("svc-keysync", state.resolve("sync.cred"))
        .credentialsFile();
  }

  @AfterAll
  void stopKdc() {
    if (kdc != null) {
      kdc.close();
    }
    if (state != null) {
      KeyTrustKdc.deleteState(state); // refuses while anything is mounted under it
    }
  }

  @Test
  @Order(1)
  void theDcListensOnItsLoopbackAddressOnlyWithTheLabPkiAndKeyCredentialLink() throws Exception {
    assertThat(progress).anyMatch(l -> l.contains("provision")).anyMatch(l -> l.contains("PKI"))
        .anyMatch(l -> l.contains("start samba")).allMatch(l -> l.matches("\\[ *[0-9.]+s\\] .*"));
    assertThat(kdc.realm()).isEqualTo("KEYTRUST.LAB");
    assertThat(KeyTrustKdc.listening(kdc.address(), 88)).isTrue();
    assertThat(KeyTrustKdc.listening(kdc.address(), 636)).isTrue();
    assertThat(Chroot.rootedAt(kdc.pid(), kdc.root())).isTrue();
    assertThat(KdcRootImage.atLeast(kdc.sambaVersion(), KdcRecipe.MIN_SAMBA)).isTrue();

    // every socket of every process in the chroot is on the run's address (TCP and UDP, v4 and v6)
    Set<String> local = localAddressesOf(Chroot.processesRootedAt(kdc.root()));
    assertThat(local).isNotEmpty().allMatch(a -> a.equals(kdc.address()), "is " + kdc.address());

    String smbConf = Chroot.readInRoot(kdc.root(), "/etc/samba/smb.conf").orElseThrow();
    assertThat(smbConf).contains("interfaces = " + kdc.address() + "/8",
        "bind interfaces only = Yes").doesNotContain("dns forwarder")
        .doesNotContainPattern("server services = .*\\bdns\\b");

    // the KDC certificate: issued by the CA of caFile(), EKU id-pkinit-KPKdc, id-pkinit-san
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    X509Certificate ca = (X509Certificate) cf.generateCertificate(Files.newInputStream(kdc.caFile()));
    X509Certificate cert = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(
        Files.readAllBytes(kdc.hostPath(KeyTrustKdc.PKI_DIR + "/kdc.pem"))));
    cert.verify(ca.getPublicKey());
    assertThat(cert.getExtendedKeyUsage()).contains(KdcCertificates.EKU_PKINIT_KDC);
    assertThat(cert.getSubjectAlternativeNames()).anyMatch(n -> (Integer) n.get(0) == 0)
        .anyMatch(n -> n.get(1).equals(kdc.address()));
    assertThat(Files.readString(kdc.krb5Conf())).contains("kdc = " + kdc.address() + ":88",
        "pkinit_anchors = FILE:" + kdc.caFile());

    // nothing of a run is written into the cached root
    assertThat(KdcRootImage.path().resolve("etc/kdc-pki")).doesNotExist();
    assertThat(KdcRootImage.path().resolve("etc/samba/smb.conf")).doesNotExist();
  }

  @Test
  @Order(2)
  void aKeyRegisteredOverLdapsByTheSyncAccountSignsInWithHeimdalKinitAndTheTgtWorksForMitKvno()
      throws Exception {
    KeyPair key = KdcCertificates.rsa2048();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    UUID device = UUID.randomUUID();
    KeyCredential kc = KeyCredential.build(key.getPublic(), KeyCredentialOptions.userKey(device,
        now));
    byte[] material = kc.keyMaterial().orElseThrow().encoded();
    assertThat(new String(material, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RSA1");
    // keytrust's LDAP endpoint, bound as the sync account of KeyCredential Admins
    try (KeyRegistrationEndpoint ldap = KeyRegistrationEndpoints.open(URI.create(kdc.ldapsUri()),
        new EndpointSettings(Map.of("credentials-file", syncCredentials.toString(),
            "ca-file", kdc.caFile().toString())))) {
      ldap.register(new KeyRegistration(alice.upn(), null, material, kc.keyId().orElseThrow(),
          kc.toByteArray(), device, now));
    }
    List<String> values = kdc.keyCredentialLinks(alice.dn());
    assertThat(values).hasSize(1);
    assertThat(KeyCredential.parse(DnBinary.parse(values.get(0)).binary()).source())
        .contains(KeySource.AD);

    ProcessResult kinit = kinit("alice", key);
    assertThat(kinit.exitCode()).as(kinit.stderr() + kinit.stdout()).isZero();
    ProcessResult klist = kdc.runInRoot(List.of(kdc.heimdalTool("klist"), "-c",
        "FILE:/tmp/alice.cc"), Map.of(), KINIT_TIMEOUT);
    assertThat(klist.stdout()).as(klist.stderr()).contains("krbtgt/KEYTRUST.LAB@KEYTRUST.LAB")
        .contains("Principal: alice@KEYTRUST.LAB");
    assertThat(Files.readString(kdc.sambaLog())).contains("PKINIT");

    // the ccache and the host krb5.conf with MIT's tools on the host: the TGT gets a service ticket
    if (ProcessRunner.onPath("klist") || "true".equals(System.getenv("CI"))) {
      String ccache = "FILE:" + kdc.hostPath("/tmp/alice.cc");
      Map<String, String> env = Map.of("PATH", "/usr/bin:/bin:/usr/sbin:/sbin",
          "KRB5_CONFIG", kdc.krb5Conf().toString(), "KRB5CCNAME", ccache);
      ProcessResult kvno = ProcessRunner.run(List.of("kvno", "cifs/" + KeyTrustKdc.DC_HOST), true,
          env, state, new byte[0], KINIT_TIMEOUT, "");
      assertThat(kvno.exitCode()).as(kvno.stderr()).isZero();
      ProcessResult mitKlist = ProcessRunner.run(List.of("klist", "-c", ccache), true, env, state,
          new byte[0], KINIT_TIMEOUT, "");
      assertThat(mitKlist.stdout()).as(mitKlist.stderr())
          .contains("krbtgt/KEYTRUST.LAB@KEYTRUST.LAB", "cifs/dc.keytrust.lab@KEYTRUST.LAB");
    }
  }

  @Test
  @Order(3)
  void aKeyThatIsNotRegisteredIsRefusedAsClientNotTrusted() throws Exception {
    ProcessResult kinit = kinit("alice-other", KdcCertificates.rsa2048());
    assertThat(kinit.exitCode()).isNotZero();
    assertThat((kinit.stderr() + kinit.stdout()).toLowerCase(Locale.ROOT))
        .contains("not trusted");
    assertThat(Files.readString(kdc.sambaLog())).contains("Client public keys do not match");
  }

  @Test
  @Order(4)
  void closeStopsSambaAndUnmountsEverythingAndLeavesTheSystemSambaAlone() throws Exception {
    // a system Samba DC on 127.0.0.1 beside it, when there is Samba and its port is free
    SambaDc system = null;
    if (SambaDc.installed() && !KeyTrustKdc.listening("127.0.0.1", SambaDc.LDAPS_PORT)) {
      system = SambaDc.start(state.resolve("system-samba"));
    }
    List<Long> hostSambas = hostSambaPids();
    try {
      List<Long> ours = Chroot.processesRootedAt(kdc.root());
      assertThat(ours).contains(kdc.pid());
      Path root = kdc.root();
      long pid = kdc.pid();

      kdc.close();

      assertThat(Chroot.mountPointsUnder(state)).isEmpty();
      assertThat(Chroot.processesRootedAt(root)).isEmpty();
      assertThat(ours).noneMatch(KeyTrustKdc::running);
      assertThat(KeyTrustKdc.running(pid)).isFalse();
      assertThat(KeyTrustKdc.listening(kdc.address(), 88)).isFalse();
      assertThat(hostSambas).allMatch(KeyTrustKdc::running);
      if (system != null) {
        assertThat(hostSambas).contains(system.pid());
        assertThat(KeyTrustKdc.listening("127.0.0.1", SambaDc.LDAPS_PORT)).isTrue();
      }
      kdc.close(); // once
    } finally {
      if (system != null) {
        system.close();
      }
    }
  }

  /** Heimdal's kinit -C in the chroot with a self-signed certificate around {@code key}. */
  private ProcessResult kinit(String name, KeyPair key) {
    return kdc.runInRoot(List.of(kdc.heimdalTool("kinit"), "-C",
        kdc.writeKeyTrustIdentity(name, key, alice.upn()), alice.principal()),
        Map.of("KRB5CCNAME", "FILE:/tmp/" + name + ".cc"), KINIT_TIMEOUT);
  }

  /** The pids of the processes named samba running in the host's own root (a system Samba). */
  private static List<Long> hostSambaPids() throws Exception {
    List<Long> pids = new ArrayList<>();
    for (long pid : Chroot.processesRootedAt(Path.of("/"))) {
      Path comm = Path.of("/proc", Long.toString(pid), "comm");
      try {
        if (Files.readString(comm).strip().equals("samba")) {
          pids.add(pid);
        }
      } catch (java.io.IOException e) {
        // exited
      }
    }
    return pids;
  }

  /** The local addresses of the TCP/UDP sockets (v4 and v6) held by {@code pids}, from /proc. */
  private static Set<String> localAddressesOf(List<Long> pids) throws Exception {
    Set<String> inodes = new HashSet<>();
    for (long pid : pids) {
      try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
        for (Path fd : fds.toList()) {
          try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring(8, target.length() - 1));
            }
          } catch (java.io.IOException e) {
            // closed meanwhile
          }
        }
      } catch (java.io.IOException e) {
        // exited meanwhile
      }
    }
    Set<String> addresses = new HashSet<>();
    for (String table : List.of("tcp", "udp", "tcp6", "udp6")) {
      List<String> lines = Files.readAllLines(Path.of("/proc/net", table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && inodes.contains(f[9])) {
          addresses.add(address(f[1].substring(0, f[1].indexOf(':'))));
        }
      }
    }
    return addresses;
  }

  /** A /proc/net address (little-endian hex words) as text. */
  private static String address(String hex) {
    if (hex.length() == 8) {
      long v = Long.parseLong(hex, 16);
      return (v & 0xFF) + "." + ((v >> 8) & 0xFF) + "." + ((v >> 16) & 0xFF) + "."
          + ((v >> 24) & 0xFF);
    }
    return "ipv6:" + hex;
  }
}
