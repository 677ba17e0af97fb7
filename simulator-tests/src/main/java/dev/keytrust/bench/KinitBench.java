package dev.keytrust.bench;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoints;
import dev.keytrust.agent.kinit.FileCredentialCache;
import dev.keytrust.agent.kinit.HelloKeySigner;
import dev.keytrust.agent.kinit.KdcAddress;
import dev.keytrust.agent.kinit.KdcTrust;
import dev.keytrust.agent.kinit.KerberosCredentials;
import dev.keytrust.agent.kinit.KeyTrustKinit;
import dev.keytrust.agent.kinit.KinitAccount;
import dev.keytrust.agent.kinit.PkinitSigner;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.lab.LabFiles;
import dev.keytrust.lab.ProcessResult;
import dev.keytrust.lab.Swtpm;
import dev.keytrust.lab.kdc.KdcCertificates;
import dev.keytrust.lab.kdc.KeyTrustKdc;
import dev.keytrust.secret.Pin;
import dev.keytrust.tpm.TpmUri;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * keytrust's in-process kinit against Heimdal's {@code kinit -C FILE:cert,key} (in the lab KDC's
 * chroot), the same lab KDC (Samba 4.24) and the same RSA-2048 key, one after the other in one run;
 * then keytrust with a key in swtpm, to show the TPM signatures' share of a sign-in. Heimdal runs
 * with MODP group 14, as keytrust (the fair comparison: the KDC's DH work dominates), and with its
 * default group 2 (1024-bit, which keytrust does not offer). Every figure is
 * a whole sign-in: probe, PKINIT request, reply checks, and the credential cache written. Heimdal's
 * figure includes starting its process in the chroot, which is how it is used.
 *
 * <p>Usage: {@code java -cp keytrust-benchmarks.jar dev.keytrust.bench.KinitBench [RUNS]
 * [--address 127.0.0.x]} (root; the lab KDC's cached root, or debootstrap to build it). Prints a
 * table and the ratio; asserts nothing about times.
 */
public final class KinitBench {
  private static final String PIN = "Bench-Pin-4821";

  private KinitBench() {}

  public static void main(String[] args) throws Exception {
    int runs = 20;
    String address = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--address")) {
        address = args[++i];
      } else {
        runs = Integer.parseInt(args[i]);
      }
    }
    Path dir = Files.createTempDirectory("keytrust-kinit-bench-");
    int exit = 1;
    try {
      run(dir, runs, address != null ? address : KeyTrustKdc.firstFreeAddress());
      exit = 0;
    } finally {
      try {
        KeyTrustKdc.deleteState(dir.resolve("kdc"));
        LabFiles.deleteTree(dir);
      } catch (java.io.IOException | RuntimeException e) {
        System.err.println("kinit bench: could not delete " + dir + ": " + e.getMessage());
      }
    }
    System.exit(exit); // swtpm and process reader threads must not keep the JVM
  }

  private static void run(Path dir, int runs, String address) throws Exception {
    try (KeyTrustKdc kdc = KeyTrustKdc.start(dir.resolve("kdc"), KeyTrustKdc.Options.defaults()
            .withAddress(address).withProgress(l -> System.err.println("kinit bench: kdc " + l)));
        Swtpm swtpm = Swtpm.startTcp(dir.resolve("swtpm"))) {
      Path sync = dir.resolve("sync.cred");
      kdc.setUpKeySync("svc-bench-sync", sync);
      KdcTrust trust = KdcTrust.fromFile(kdc.caFile());
      KdcAddress kdcAddress = KdcAddress.parse(kdc.address());

      // the same RSA key for Heimdal (PEM in the chroot) and keytrust (the JDK)
      KeyTrustKdc.User user = kdc.createUser("bench");
      KeyPair key = KdcCertificates.rsa2048();
      register(kdc, sync, user, key.getPublic());
      String identity = kdc.writeKeyTrustIdentity("bench", key, user.upn());
      // Heimdal's client picks MODP group 2 (1024-bit) unless told a minimum; its built-in list
      // rates group 14 at 1760 bits and compares with '>', so 1025 selects group 14, keytrust's
      kdc.writeInRoot("/root/kt/krb5-group14.conf",
          "[libdefaults]\n\tpkinit_dh_min_bits = 1025\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          "rw-r--r--");
      Map<String, String> group2 = Map.of("KRB5CCNAME", "FILE:/tmp/bench.cc");
      Map<String, String> group14 = Map.of("KRB5CCNAME", "FILE:/tmp/bench.cc",
          "KRB5_CONFIG", "/root/kt/krb5-group14.conf:/etc/krb5.conf");

      // a key in swtpm, PIN-protected, for the TPM's share
      KeyTrustKdc.User tpmUser = kdc.createUser("bench-tpm");
      Pin pin = Pin.copyOf(PIN.toCharArray());
      try (HelloKeys keys = HelloKeys.open(TpmUri.parse(swtpm.tpmUri()), dir.resolve("keys"))) {
        KeyContainer tpmKey = keys.create(tpmUser.upn(), KeyAlgorithm.RSA_2048, pin);
        register(kdc, sync, tpmUser, tpmKey.publicKey());

        TimedSigner jdk = new TimedSigner(new JcaPkinitSigner(key));
        TimedSigner tpm = new TimedSigner(HelloKeySigner.of(keys, tpmUser.upn(), pin));
        Path ccache = dir.resolve("krb5cc_bench");
        Series keytrust = new Series();
        Series jdkSign = new Series();
        Series heimdal = new Series();
        Series heimdalGroup2 = new Series();
        Series tpmTotal = new Series();
        Series tpmSign = new Series();
        int warmup = Math.max(5, runs / 2);
        System.err.println("kinit bench: " + warmup + " warm-up and " + runs + " measured sign-ins each");
        for (int i = -warmup; i < runs; i++) {
          boolean measure = i >= 0;
          long t0 = System.nanoTime();
          kinit(jdk, user, kdcAddress, trust, ccache);
          long ours = System.nanoTime() - t0;
          long oursSign = jdk.takeNanos();

          long theirs = heimdal(kdc, identity, user, group14);
          long theirsGroup2 = heimdal(kdc, identity, user, group2);

          t0 = System.nanoTime();
          kinit(tpm, tpmUser, kdcAddress, trust, ccache);
          long withTpm = System.nanoTime() - t0;
          long tpmSigning = tpm.takeNanos();
          if (measure) {
            keytrust.add(ours);
            jdkSign.add(oursSign);
            heimdal.add(theirs);
            heimdalGroup2.add(theirsGroup2);
            tpmTotal.add(withTpm);
            tpmSign.add(tpmSigning);
          }
        }
        String log = Files.readString(kdc.sambaLog());
        if (!log.contains("PKINIT using dh rfc3526-MODP-group14")
            || !log.contains("PKINIT using dh RFC2412-MODP-group2")) {
          throw new IllegalStateException("the KDC's log does not show both DH groups");
        }
        report(runs, kdc, keytrust, jdkSign, heimdal, heimdalGroup2, tpmTotal, tpmSign);
      } finally {
        pin.destroy();
      }
    }
  }

  private static int heimdalFailures;

  /**
   * One Heimdal {@code kinit -C} in the chroot, its wall time in nanoseconds. A failed one is
   * counted, reported, and run again (Heimdal 7.8's client now and then fails a PKINIT that the KDC
   * granted, "Password incorrect", about 1 in 100 here); three in a row stop the benchmark.
   */
  private static long heimdal(KeyTrustKdc kdc, String identity, KeyTrustKdc.User user,
      Map<String, String> env) {
    for (int attempt = 1; ; attempt++) {
      try {
        return heimdalOnce(kdc, identity, user, env);
      } catch (IllegalStateException e) {
        heimdalFailures++;
        System.err.println("kinit bench: Heimdal kinit failed, run again: "
            + e.getMessage().lines().findFirst().orElse(""));
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  private static long heimdalOnce(KeyTrustKdc kdc, String identity, KeyTrustKdc.User user,
      Map<String, String> env) {
    long t0 = System.nanoTime();
    ProcessResult h = kdc.runInRoot(List.of(kdc.heimdalTool("kinit"), "-C", identity,
        user.principal()), env, Duration.ofSeconds(60));
    long nanos = System.nanoTime() - t0;
    if (!h.succeeded()) {
      String log;
      try {
        log = dev.keytrust.lab.ProcessRunner.tail(Files.readString(kdc.sambaLog()), 25);
      } catch (java.io.IOException e) {
        log = e.toString();
      }
      throw new IllegalStateException("Heimdal kinit -C failed (" + env + "): " + h.stderr()
          + h.stdout() + "\nKDC log:\n" + log);
    }
    return nanos;
  }

  private static void kinit(PkinitSigner signer, KeyTrustKdc.User user, KdcAddress kdc,
      KdcTrust trust, Path ccache) throws Exception {
    try (KerberosCredentials tgt = KeyTrustKinit.builder().signer(signer)
        .account(KinitAccount.of(user.upn(), null)).kdc(kdc).trust(trust).build().signIn()) {
      FileCredentialCache.write(ccache, tgt);
    }
  }

  private static void register(KeyTrustKdc kdc, Path sync, KeyTrustKdc.User user, PublicKey key)
      throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    UUID device = UUID.randomUUID();
    KeyCredential kc = KeyCredential.build(key, KeyCredentialOptions.userKey(device, now));
    try (KeyRegistrationEndpoint ldap = KeyRegistrationEndpoints.open(URI.create(kdc.ldapsUri()),
        new EndpointSettings(Map.of("credentials-file", sync.toString(), "ca-file", kdc.caFile().toString())))) {
      ldap.register(new KeyRegistration(user.upn(), null, kc.keyMaterial().orElseThrow().encoded(),
          kc.keyId().orElseThrow(), kc.toByteArray(), device, now));
    }
  }

  private static void report(int runs, KeyTrustKdc kdc, Series keytrust, Series jdkSign,
      Series heimdal, Series heimdalGroup2, Series tpmTotal, Series tpmSign) {
    System.out.println("kinit against the lab KDC (Samba " + kdc.sambaVersion() + ", " + kdc.address()
        + "), RSA-2048, " + runs + " sign-ins each, milliseconds (median, min, max)");
    System.out.println(row("keytrust in-process (JDK key)", keytrust));
    System.out.println(row("  of which the 2 RSA signatures", jdkSign));
    System.out.println(row("Heimdal kinit -C, DH group 14 (process)", heimdal));
    System.out.println(row("Heimdal kinit -C, default DH group 2", heimdalGroup2));
    System.out.println(row("keytrust in-process (swtpm key)", tpmTotal));
    System.out.println(row("  of which the 2 TPM signatures", tpmSign));
    System.out.printf(Locale.ROOT, "ratio keytrust/Heimdal (same key, same DH group 14, medians): %.2f%n",
        keytrust.median() / heimdal.median());
    System.out.printf(Locale.ROOT, "ratio keytrust/Heimdal with its default group 2 (medians): %.2f%n",
        keytrust.median() / heimdalGroup2.median());
    System.out.printf(Locale.ROOT, "ratio keytrust with swtpm/Heimdal (medians): %.2f%n",
        tpmTotal.median() / heimdal.median());
    System.out.printf(Locale.ROOT, "TPM signatures' share of a swtpm sign-in (medians): %.0f%%%n",
        100 * tpmSign.median() / tpmTotal.median());
    System.out.println("Heimdal runs that failed and were run again: " + heimdalFailures);
  }

  private static String row(String name, Series s) {
    return String.format(Locale.ROOT, "  %-40s %8.2f %8.2f %8.2f", name, s.median(), s.min(), s.max());
  }

  /** Durations in nanoseconds, reported in milliseconds. */
  private static final class Series {
    private final List<Long> values = new ArrayList<>();

    void add(long nanos) {
      values.add(nanos);
    }

    double median() {
      List<Long> v = new ArrayList<>(values);
      Collections.sort(v);
      int n = v.size();
      return (n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2.0) / 1e6;
    }

    double min() {
      return Collections.min(values) / 1e6;
    }

    double max() {
      return Collections.max(values) / 1e6;
    }
  }
}
