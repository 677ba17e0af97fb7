package dev.keytrust.lab;

import dev.keytrust.lab.kdc.KeyTrustKdc;
import dev.keytrust.lab.keyservice.LabTokens;
import dev.keytrust.lab.keyservice.TokenClaims;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A running key trust lab on 127.0.0.1, as an object: swtpm (when installed and wanted), the
 * DRS-style key service with push MFA ({@link LabKeyService}), the directory ({@link LabDirectory},
 * or a Samba AD DC: {@link SambaDc}, or the lab KDC: {@link KeyTrustKdc}) with alice, bob and a
 * bind account, and the sync job ({@link LabSync}). {@link #start} starts it
 * all and writes what a client needs into the lab folder (CA, tokens, LDAP credentials, {@code
 * lab.env}), printing every endpoint as a {@code name: value} line; {@link #close()} stops it all
 * (the sync job first, swtpm last, through its own process handle), once. Used by {@code keytrust
 * lab up} ({@link LabMain}) and {@code keytrust demo} ({@link LabDemo}).
 */
public final class Lab implements AutoCloseable {

  /** The auto-approval delay of push requests in {@code lab up}. */
  public static final Duration DEFAULT_PUSH_DELAY = Duration.ofSeconds(3);
  /** The sync service account the lab creates on a Samba AD DC. */
  public static final String SAMBA_SYNC_ACCOUNT = "svc-keysync";

  /**
   * How to start a lab.
   *
   * @param dir the lab folder (empty or new), or null for a new one under the temp folder
   * @param syncInterval the sync job's cycle
   * @param pushAutoApprove push MFA requests are approved this long after they start; null: they
   *     wait for an approve/deny
   * @param swtpm start swtpm when it is installed (false: no TPM, clients use {@code --tpm software})
   * @param samba the directory is a Samba AD DC ({@link SambaDc}, needs root and Samba; LDAPS on
   *     127.0.0.1:636) instead of the in-process {@link LabDirectory}; the LDAP endpoint's account
   *     and the sync job are then the sync service account of "KeyCredential Admins"
   * @param kdc the directory is the lab KDC ({@link KeyTrustKdc}: a Samba 4.24 AD DC whose KDC
   *     accepts key trust PKINIT, realm KEYTRUST.LAB on 127.0.0.2 or, when another lab KDC holds
   *     it, the next free 127.0.0.x; needs root, debootstrap on first
   *     use and the Debian mirror), set up as with {@code samba}: the sync job and the LDAP
   *     endpoint write msDS-KeyCredentialLink there as the sync account. Not with {@code samba}.
   */
  public record Options(Path dir, Duration syncInterval, Duration pushAutoApprove, boolean swtpm,
      boolean samba, boolean kdc) {
    public Options {
      Objects.requireNonNull(syncInterval, "syncInterval");
      if (samba && kdc) {
        throw new IllegalArgumentException("a lab has one directory: the Samba DC or the KDC,"
            + " not both");
      }
    }

    /** Without the lab KDC. */
    public Options(Path dir, Duration syncInterval, Duration pushAutoApprove, boolean swtpm,
        boolean samba) {
      this(dir, syncInterval, pushAutoApprove, swtpm, samba, false);
    }

    /** {@code lab up}'s defaults: a new folder, 30 min sync, push auto-approved after 3 s, swtpm. */
    public static Options defaults() {
      return new Options(null, LabSync.DEFAULT_INTERVAL, DEFAULT_PUSH_DELAY, true, false, false);
    }
  }

  /**
   * One lab user.
   *
   * @param upn the UPN
   * @param dn the directory object
   * @param deviceId the device id claim of its token
   * @param tokenFile the bearer token file (0600)
   */
  public record User(String upn, String dn, UUID deviceId, Path tokenFile) {}

  private final List<AutoCloseable> started = new ArrayList<>();
  private Path dir;
  private LabCertificates certs;
  private LabKeyService service;
  private LabDirectory directory;
  private SambaDc samba;
  private KeyTrustKdc kdc;
  private URI ldapsUri;
  private URI ldapUri;
  private LabSync sync;
  private Swtpm swtpm;
  private Path ldapCredentials;
  private final Map<String, User> users = new LinkedHashMap<>();
  private boolean closed;

  private Lab() {}

  /**
   * Starts a lab, printing its endpoints to {@code out} (not {@code ready}: that is the caller's).
   *
   * @throws IOException when the folder cannot be made or written
   * @throws RuntimeException when a part cannot start; what started is stopped again
   */
  public static Lab start(Options options, PrintStream out) throws IOException {
    return start(options, out, lab -> {});
  }

  /**
   * As {@link #start(Options, PrintStream)}, handing the lab to {@code created} before any part
   * starts, so that another thread (a shutdown hook) can {@link #close()} a lab that is still
   * starting: what runs stops at once, a part being started is stopped as soon as it is up, and
   * this method then throws a {@link LabException}.
   */
  public static Lab start(Options options, PrintStream out, Consumer<? super Lab> created)
      throws IOException {
    Lab lab = new Lab();
    created.accept(lab);
    try {
      lab.up(options, out);
      lab.checkNotClosed();
      return lab;
    } catch (IOException | RuntimeException e) {
      lab.close();
      throw e;
    }
  }

  /** Records a started part to stop in {@link #close()}; stops it at once when the lab was closed. */
  private <T extends AutoCloseable> T keep(T part, boolean stopFirst) {
    synchronized (this) {
      if (!closed) {
        started.add(stopFirst ? 0 : started.size(), part);
        return part;
      }
    }
    stop(part);
    throw new LabException("The lab was stopped while it was starting.");
  }

  private synchronized void checkNotClosed() {
    if (closed) {
      throw new LabException("The lab was stopped while it was starting.");
    }
  }

  private void up(Options options, PrintStream out) throws IOException {
    dir = prepare(options.dir());
    out.println("dir: " + dir);

    certs = LabCertificates.create(dir);
    service = LabKeyService.start(certs);
    keep(service, false);
    if (options.pushAutoApprove() != null) {
      service.autoApprovePush(options.pushAutoApprove());
    }
    SyncDirectory syncDirectory;
    Map<String, String> dns = new LinkedHashMap<>();
    if (options.samba()) {
      // a real AD DC; the guide's key-sync set-up: the LDAP endpoint and the sync job bind as the
      // sync account of "KeyCredential Admins", not as Administrator
      samba = SambaDc.start(dir.resolve("samba"), certs);
      keep(samba, false);
      for (String user : LabMain.USERS) {
        String upn = user + LabMain.UPN_SUFFIX;
        char[] password = randomPassword();
        String dn = samba.createUser(user, upn, password);
        java.util.Arrays.fill(password, '\0');
        out.println("user: " + upn + " " + dn);
        dns.put(upn, dn);
      }
      ldapCredentials = samba.setUpKeySync(SAMBA_SYNC_ACCOUNT,
          dir.resolve(LabMain.LDAP_CREDENTIALS_FILE)).credentialsFile();
      LdapSyncDirectory asSyncAccount = LdapSyncDirectory.open("127.0.0.1", SambaDc.LDAPS_PORT,
          SambaDc.BASE_DN, certs.caFile(), ldapCredentials);
      keep(asSyncAccount, false);
      syncDirectory = asSyncAccount;
      ldapsUri = URI.create(samba.ldapsUri());
      ldapUri = null; // AD refuses simple binds without TLS
    } else if (options.kdc()) {
      // the lab KDC: a Samba AD DC that accepts key trust PKINIT, set up as above; its own PKI
      // (RSA: the KDC's Heimdal has no ECDSA) covers its KDC and LDAPS
      // 127.0.0.2, or the next free 127.0.0.x when another lab KDC holds it
      kdc = keep(KeyTrustKdc.start(dir.resolve("kdc"), KeyTrustKdc.Options.defaults()
          .withAddress(KeyTrustKdc.firstFreeAddress())
          .withProgress(line -> out.println("kdc-progress: " + line))), false);
      for (String user : LabMain.USERS) {
        KeyTrustKdc.User u = kdc.createUser(user);
        out.println("user: " + u.upn() + " " + u.dn());
        dns.put(u.upn(), u.dn());
      }
      ldapCredentials = kdc.setUpKeySync(SAMBA_SYNC_ACCOUNT,
          dir.resolve(LabMain.LDAP_CREDENTIALS_FILE)).credentialsFile();
      syncDirectory = keep(kdc.syncDirectory(ldapCredentials), false);
      ldapsUri = URI.create(kdc.ldapsUri());
      ldapUri = null;
    } else {
      directory = LabDirectory.start(certs);
      keep(directory, false);
      // the directory: users, a bind account with a random password
      for (String user : LabMain.USERS) {
        String upn = user + LabMain.UPN_SUFFIX;
        String cn = Character.toUpperCase(user.charAt(0)) + user.substring(1);
        String dn = directory.addUser(cn, upn, user);
        out.println("user: " + upn + " " + dn);
        dns.put(upn, dn);
      }
      char[] password = randomPassword();
      String bindDn = directory.addBindAccount(LabMain.BIND_ACCOUNT, password);
      ldapCredentials = secretFile(dir.resolve(LabMain.LDAP_CREDENTIALS_FILE),
          "# keytrust lab: bind account of the LDAP endpoint (credentials-file setting)\n"
              + "bind-dn=" + bindDn + "\npassword=" + new String(password) + "\n");
      java.util.Arrays.fill(password, '\0');
      syncDirectory = directory;
      ldapsUri = directory.ldapsUri();
      ldapUri = directory.ldapUri();
    }

    // tokens: one device per user, as after device registration
    for (Map.Entry<String, String> e : dns.entrySet()) {
      String upn = e.getKey();
      UUID device = UUID.randomUUID();
      String token = service.issueToken(new TokenClaims(upn, device, LabTokens.defaultAmr(),
          Instant.now().plus(LabMain.TOKEN_LIFETIME)));
      Path f = secretFile(dir.resolve(upn.substring(0, upn.indexOf('@')) + ".token"), token + "\n");
      users.put(upn, new User(upn, e.getValue(), device, f));
      out.println("token: " + upn + " " + f + " (device " + device + ", valid "
          + LabMain.TOKEN_LIFETIME.toHours() + " h)");
    }

    // Samba 4.24's KDC skips values with Entra's 15-byte CustomKeyInformation (LabSync.CkiForm):
    // against the lab KDC the job writes the specification's long form, elsewhere Entra's
    sync = LabSync.start(service, syncDirectory, options.syncInterval(),
        kdc != null ? LabSync.CkiForm.MS_ADTS : LabSync.CkiForm.ENTRA);
    keep(sync, true); // stopped first

    Optional<Path> attestationCa = Optional.empty();
    if (options.swtpm() && Swtpm.available()) {
      LabAttestation.manufactureIfNew(dir, dir.resolve("swtpm"));
      swtpm = Swtpm.startTcp(dir.resolve("swtpm"));
      keep(swtpm, false);
      attestationCa = LabAttestation.enable(dir, swtpm, service);
    }

    String drs = service.baseUri().toString();
    User first = users.values().iterator().next();
    out.println("ca-file: " + certs.caFile());
    out.println("drs: " + drs + LabKeyService.KEY_PATH);
    out.println("push-mfa: " + service.pushUri() + " (" + pushMode() + ")");
    if (ldapUri != null) {
      out.println("ldap: " + ldapUri);
    }
    out.println("ldaps: " + ldapsUri + (samba != null ? " (Samba AD DC, pid " + samba.pid() + ")"
        : kdc != null ? " (the lab KDC's Samba AD DC, pid " + kdc.pid() + ")" : ""));
    if (kdc != null) {
      out.println("ldaps-ca-file: " + kdc.caFile());
    }
    out.println("ldap-credentials: " + ldapCredentials);
    if (kdc != null) {
      out.println("realm: " + kdc.realm());
      out.println("kdc: " + kdc.address() + ":" + KeyTrustKdc.KDC_PORT + " (Samba "
          + kdc.sambaVersion() + ", key trust PKINIT; users " + String.join(", ", dns.keySet())
          + ")");
      out.println("kdc-ca-file: " + kdc.caFile() + " (PKINIT anchor)");
      out.println("krb5-config: " + kdc.krb5Conf() + " (KRB5_CONFIG=" + kdc.krb5Conf()
          + " klist / kvno)");
      out.println("kdc-root: " + kdc.root() + " (Heimdal kinit -C, klist, kvno: chroot "
          + kdc.root() + " kinit ...)");
      out.println("kdc-log: " + kdc.sambaLog());
    }
    out.println("sync: every " + describe(options.syncInterval()) + ", next at "
        + sync.nextCycle().map(Instant::toString).orElse("-") + "; CustomKeyInformation in "
        + sync.form().description() + (kdc != null ? ", which Samba 4.24's KDC requires" : ""));
    if (swtpm != null) {
      out.println("tpm: " + swtpm.tpmUri());
      out.println("swtpm-pid: " + swtpm.pid());
      attestationCa.ifPresent(f -> out.println("attestation-ca: " + f
          + " (EK certificates from the lab manufacturer; provision with --endpoint-setting attest=preferred)"));
    } else {
      out.println("tpm: none (" + (options.swtpm() ? Swtpm.MISSING_MESSAGE : "swtpm not wanted.")
          + " Use --tpm software.)");
    }
    // the device context provision needs (--device): hybrid joined, the first user signed in
    Path deviceFile = dir.resolve(LabMain.DEVICE_FILE);
    Files.writeString(deviceFile, deviceContext(first, swtpm != null), StandardCharsets.UTF_8);
    out.println("device: " + deviceFile + " (hybrid joined, " + first.upn() + " signed in, device "
        + first.deviceId() + ")");
    out.println("provision: keytrust provision --user " + first.upn()
        + " --device " + deviceFile
        + " --tpm " + tpmUri()
        + " --mfa push:url=" + service.pushUri() + ",token-file=" + first.tokenFile()
        + ",ca-file=" + certs.caFile()
        + " --endpoint " + drs
        + " --endpoint-setting token-file=" + first.tokenFile()
        + " --endpoint-setting ca-file=" + certs.caFile());

    StringBuilder env = new StringBuilder("# keytrust lab endpoints (source this file)\n");
    env.append("KEYTRUST_LAB_DIR='").append(dir).append("'\n");
    env.append("KEYTRUST_LAB_CA_FILE='").append(certs.caFile()).append("'\n");
    env.append("KEYTRUST_LAB_DEVICE='").append(deviceFile).append("'\n");
    env.append("KEYTRUST_LAB_DRS='").append(drs).append("'\n");
    env.append("KEYTRUST_LAB_PUSH_MFA='").append(service.pushUri()).append("'\n");
    if (ldapUri != null) {
      env.append("KEYTRUST_LAB_LDAP='").append(ldapUri).append("'\n");
    }
    env.append("KEYTRUST_LAB_LDAPS='").append(ldapsUri).append("'\n");
    env.append("KEYTRUST_LAB_LDAP_CREDENTIALS='").append(ldapCredentials).append("'\n");
    if (kdc != null) {
      env.append("KEYTRUST_LAB_LDAPS_CA_FILE='").append(kdc.caFile()).append("'\n");
      env.append("KEYTRUST_LAB_REALM='").append(kdc.realm()).append("'\n");
      env.append("KEYTRUST_LAB_KDC='").append(kdc.address()).append(':')
          .append(KeyTrustKdc.KDC_PORT).append("'\n");
      env.append("KEYTRUST_LAB_KDC_CA_FILE='").append(kdc.caFile()).append("'\n");
      env.append("KEYTRUST_LAB_KRB5_CONFIG='").append(kdc.krb5Conf()).append("'\n");
      env.append("KEYTRUST_LAB_KDC_ROOT='").append(kdc.root()).append("'\n");
    }
    for (User u : users.values()) {
      env.append("KEYTRUST_LAB_TOKEN_")
          .append(u.upn().substring(0, u.upn().indexOf('@')).toUpperCase(Locale.ROOT))
          .append("='").append(u.tokenFile()).append("'\n");
    }
    if (swtpm != null) {
      env.append("KEYTRUST_TPM='").append(swtpm.tpmUri()).append("'\n");
      env.append("KEYTRUST_LAB_SWTPM_PID='").append(swtpm.pid()).append("'\n");
    }
    Files.writeString(dir.resolve(LabMain.ENV_FILE), env.toString(), StandardCharsets.UTF_8);
    out.println("env: " + dir.resolve(LabMain.ENV_FILE));
  }

  private String pushMode() {
    return service.pushAutoApproveDelay()
        .map(d -> "requests approved automatically after " + describeMillis(d))
        .orElse("approve: POST " + service.pushUri() + LabKeyService.PUSH_PATH
            + "/ID/approve or /deny with the user's token");
  }

  // ---- what clients need ----

  public Path dir() {
    return dir;
  }

  public LabCertificates certificates() {
    return certs;
  }

  public Path caFile() {
    return certs.caFile();
  }

  public LabKeyService keyService() {
    return service;
  }

  /** The in-process directory; empty when the lab runs a Samba AD DC instead. */
  public Optional<LabDirectory> directory() {
    return Optional.ofNullable(directory);
  }

  /** The Samba AD DC, when the lab runs one ({@link Options#samba()}). */
  public Optional<SambaDc> samba() {
    return Optional.ofNullable(samba);
  }

  /** The lab KDC, when the lab runs one ({@link Options#kdc()}). */
  public Optional<KeyTrustKdc> kdc() {
    return Optional.ofNullable(kdc);
  }

  /**
   * The CA to trust for {@link #ldapsUri()}: the lab KDC's CA when it runs, else {@link
   * #caFile()}.
   */
  public Path ldapsCaFile() {
    return kdc != null ? kdc.caFile() : certs.caFile();
  }

  /** The directory's {@code ldaps://ADDRESS:PORT/<base DN>}. */
  public URI ldapsUri() {
    return ldapsUri;
  }

  public LabSync sync() {
    return sync;
  }

  /** The swtpm, when one runs. */
  public Optional<Swtpm> swtpm() {
    return Optional.ofNullable(swtpm);
  }

  /** {@code mssim://127.0.0.1:PORT} of the swtpm, or {@code software}. */
  public String tpmUri() {
    return swtpm != null ? swtpm.tpmUri() : "software";
  }

  /** The DRS-style key endpoint: {@code https://127.0.0.1:PORT/EnrollmentServer/key/}. */
  public URI drsUri() {
    return URI.create(service.baseUri() + LabKeyService.KEY_PATH);
  }

  /** The LDAP credentials file ({@code credentials-file=}). */
  public Path ldapCredentials() {
    return ldapCredentials;
  }

  /** The lab user with this UPN. */
  public User user(String upn) {
    User u = users.get(upn);
    if (u == null) {
      throw new IllegalArgumentException("no lab user " + upn);
    }
    return u;
  }

  public List<User> users() {
    return List.copyOf(users.values());
  }

  /** Stops everything started, the sync job first, swtpm last; each once. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable c : started) {
      stop(c);
    }
    started.clear();
  }

  private static void stop(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      System.err.println("keytrust lab: stopping " + c + " failed: " + e.getMessage());
    }
  }

  // ---- helpers ----

  static Path prepare(Path requested) throws IOException {
    if (requested == null) {
      Path d = Files.createTempDirectory("keytrust-lab-");
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
      return d;
    }
    if (Files.exists(requested)) {
      if (!Files.isDirectory(requested)) {
        throw new IOException(requested + " is not a directory");
      }
      try (var entries = Files.list(requested)) {
        if (entries.findAny().isPresent()) {
          throw new IOException(requested + " is not empty (a lab from an earlier run?); remove"
              + " it or give another --dir");
        }
      }
    } else {
      Files.createDirectories(requested);
    }
    Files.setPosixFilePermissions(requested, PosixFilePermissions.fromString("rwx------"));
    return requested;
  }

  /**
   * A device context file ({@code keytrust provision --device}) for {@code user}: the device as
   * after hybrid join and the user's sign-in with a token for this device (the user's lab token's
   * device id), with a usable TPM or none.
   */
  public static String deviceContext(User user, boolean tpm) {
    UUID tenant = UUID.nameUUIDFromBytes("keytrust.lab tenant".getBytes(StandardCharsets.UTF_8));
    return "# keytrust lab: the device as after hybrid join and " + user.upn() + "'s sign-in\n"
        + "join = hybrid\n"
        + "device.id = " + user.deviceId() + "\n"
        + "tenant.id = " + tenant + "\n"
        + "tenant.verifiedDomains = keytrust.lab\n"
        + "user.onPremUpn = " + user.upn() + "\n"
        + "user.cloudUpn = " + user.upn() + "\n"
        + "user.onPremisesUserPrincipalName = " + user.upn() + "\n"
        + "user.groups = Domain Users\n"
        + "token.amr = pwd\n"
        + "token.deviceid = " + user.deviceId() + "\n"
        + "token.tid = " + tenant + "\n"
        + "session.remote = no\n"
        + (tpm ? "tpm = 2.0\ntpm.usable = yes\ntpm.lockedOut = no\n" : "tpm = absent\n");
  }

  static Path secretFile(Path f, String content) throws IOException {
    Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private static char[] randomPassword() {
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    return ("Lab-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b)).toCharArray();
  }

  static String describe(Duration d) {
    if (d.toSeconds() % 3600 == 0) {
      return d.toHours() + "h";
    }
    if (d.toSeconds() % 60 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toSeconds() + "s";
  }

  static String describeMillis(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  @Override
  public String toString() {
    return "Lab[" + dir + (closed ? ", stopped" : "") + "]";
  }
}
