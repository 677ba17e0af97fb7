package dev.keytrust.lab;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.util.ssl.SSLUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Active Directory domain controller for the lab: Samba (4.17+) provisioned into its own
 * state directory, with the Windows Server 2016 attribute msDS-KeyCredentialLink added to the
 * schema (Samba stops at the 2012 R2 schema), TLS with a {@link LabCertificates} server certificate
 * for {@code localhost}/{@code 127.0.0.1}, listening on the loopback interface only.
 *
 * <p>Samba's LDAP ports are fixed: LDAPS is {@code 127.0.0.1:636} (and LDAP 389, Kerberos 88 and
 * the RPC ports). {@link #start} refuses to start when 636 is taken, so one lab DC runs at a time
 * on a machine. The process (started with {@code -i -M single}) and its children are stopped by
 * {@link #close()} through their own process handles, never by name. Needs root (Samba's DC).
 *
 * <p>Administration goes over LDAPS as the domain's Administrator, whose random password Samba
 * generates at provisioning and this class keeps in memory only; ACLs are set with {@code
 * samba-tool dsacl}, which gets the password through its {@code PASSWD} environment variable, so
 * no password is on a command line.
 */
public final class SambaDc implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SambaDc.class);

  public static final String REALM = "LAB.KEYTRUST.TEST";
  public static final String DOMAIN = "LAB";
  public static final String BASE_DN = "DC=lab,DC=keytrust,DC=test";
  public static final String UPN_SUFFIX = "lab.keytrust.test";
  public static final int LDAPS_PORT = 636;
  /** The group of the hybrid key trust guide that holds the key-sync grant. */
  public static final String GROUP_KEY_CREDENTIAL_ADMINS = "KeyCredential Admins";
  /** msDS-KeyCredentialLink's schemaIDGUID in Windows Server 2016's schema. */
  public static final UUID KEY_CREDENTIAL_LINK_GUID =
      UUID.fromString("5b47d60f-6090-40b2-9f37-2a4de88f3063");
  /** The user class's schemaIDGUID. */
  public static final UUID USER_CLASS_GUID = UUID.fromString("bf967aba-0de6-11d0-a285-00aa003049e2");

  private static final Duration PROVISION_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern ADMIN_PASSWORD = Pattern.compile("Admin password:\\s+(\\S+)");
  private static final int UF_NORMAL_ACCOUNT = 0x200;
  private static final int GLOBAL_SECURITY_GROUP = 0x80000002;

  private final Path dir;
  private final LabCertificates certificates;
  private final Process process;
  private final char[] adminPassword;
  private boolean closed;

  private SambaDc(Path dir, LabCertificates certificates, Process process, char[] adminPassword) {
    this.dir = dir;
    this.certificates = certificates;
    this.process = process;
    this.adminPassword = adminPassword;
  }

  /** True when samba, samba-tool and ldbmodify are on PATH (scripts/install-deps.sh installs them). */
  public static boolean installed() {
    return ProcessRunner.onPath("samba") && ProcessRunner.onPath("samba-tool")
        && ProcessRunner.onPath("ldbmodify");
  }

  /**
   * Provisions a new domain in {@code dir} (which must be empty or missing) and starts its DC.
   * Takes about 10 s.
   *
   * @throws LabException when Samba is missing, port 636 is taken, or a step fails (its output
   *     tail and the log file are named)
   */
  public static SambaDc start(Path dir) {
    return start(dir, null);
  }

  /**
   * As {@link #start(Path)}, with the DC's TLS certificate from {@code certificates} (its server
   * certificate names localhost and 127.0.0.1), so one lab CA covers the DC and other lab servers;
   * null: a CA of its own under {@code dir/tls}.
   */
  public static SambaDc start(Path dir, LabCertificates certificates) {
    if (!installed()) {
      throw new LabException("Samba is not installed (samba, samba-tool, ldbmodify): run"
          + " ./scripts/install-deps.sh, or apt-get install samba winbind ldb-tools.");
    }
    if (listening(LDAPS_PORT)) {
      throw new LabException("127.0.0.1:" + LDAPS_PORT + " is in use, so a lab Samba DC cannot"
          + " start (its LDAPS port is fixed). Stop the other directory first.");
    }
    Path target = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(target);
    } catch (IOException e) {
      throw new LabException("Cannot create " + target + ": " + e.getMessage(), e);
    }
    LabCertificates certs = certificates != null ? certificates
        : LabCertificates.create(target.resolve("tls"));
    // GnuTLS in Samba does not read the PKCS#8 EC key the lab writes; openssl rewrites it as SEC1
    Path sambaKey = target.resolve("samba-key.pem");
    ProcessResult key = Openssl.run("ec", "-in", certs.serverKeyFile().toString(), "-out",
        sambaKey.toString());
    if (!key.succeeded()) {
      throw new LabException("openssl could not convert the lab server key for Samba: "
          + ProcessRunner.tail(key.stderr(), 5));
    }
    Path state = target.resolve("dc");
    long t0 = System.nanoTime();
    ProcessResult provision = ProcessRunner.run(List.of("samba-tool", "domain", "provision",
        "--realm=" + REALM, "--domain=" + DOMAIN, "--server-role=dc", "--dns-backend=NONE",
        "--use-rfc2307", "--targetdir=" + state,
        "--option=interfaces=lo", "--option=bind interfaces only=yes",
        // the RPC endpoints' ports above Linux's ephemeral range (32768-60999): with Samba's default
        // (49152-65535) a port that a client connection on 127.0.0.1 happened to hold made samba exit
        // at start-up (NT_STATUS_ADDRESS_ALREADY_ASSOCIATED on 127.0.0.1:49154, seen in CI)
        "--option=rpc server dynamic port range=61000-65000",
        "--option=tls enabled=yes",
        "--option=tls keyfile=" + sambaKey,
        "--option=tls certfile=" + certs.serverCertificateFile(),
        "--option=tls cafile=" + certs.caFile()),
        Map.of(), target, new byte[0], PROVISION_TIMEOUT, "Provisioning usually takes 5 s.");
    Matcher m = ADMIN_PASSWORD.matcher(provision.stdout() + "\n" + provision.stderr());
    if (!provision.succeeded() || !m.find()) {
      // the generated Administrator password is in samba-tool's log lines: never quote those
      throw new LabException("samba-tool domain provision failed (exit " + provision.exitCode()
          + "): " + ProcessRunner.tail(provision.stderr().replaceAll("(?im)^.*password.*$",
              "(a line about the password, not shown)"), 15));
    }
    char[] adminPassword = m.group(1).toCharArray();
    addKeyCredentialLinkToSchema(state, target);
    LOG.info("Samba domain {} provisioned in {} ms", REALM, (System.nanoTime() - t0) / 1_000_000);

    Path log = target.resolve("samba.log");
    Process process;
    try {
      process = new ProcessBuilder("samba", "-s", state.resolve("etc/smb.conf").toString(), "-i",
          "-M", "single")
          .directory(target.toFile())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    } catch (IOException e) {
      throw new LabException("Cannot start samba: " + e.getMessage(), e);
    }
    SambaDc dc = new SambaDc(target, certs, process, adminPassword);
    try {
      dc.awaitReady(log);
      dc.allowPlainPasswordsForLab();
    } catch (RuntimeException e) {
      dc.close();
      throw e;
    }
    LOG.info("Samba DC for {} up (pid {}), LDAPS on 127.0.0.1:{}", REALM, process.pid(),
        LDAPS_PORT);
    return dc;
  }

  /**
   * The two schema changes of the lab recipe, made with the server stopped and as two separate
   * ldbmodify runs: the attribute (with Windows' attributeID, linkID and schemaIDGUID), then
   * mayContain on the user class.
   */
  private static void addKeyCredentialLinkToSchema(Path state, Path work) {
    String schema = "CN=Schema,CN=Configuration," + BASE_DN;
    String update = "\ndn:\nchangetype: modify\nreplace: schemaUpdateNow\nschemaUpdateNow: 1\n";
    String attribute = "dn: CN=ms-DS-Key-Credential-Link," + schema + "\n"
        + "changetype: add\n"
        + "objectClass: top\nobjectClass: attributeSchema\n"
        + "attributeID: 1.2.840.113556.1.4.2328\n"
        + "attributeSyntax: 2.5.5.7\nomSyntax: 127\n"
        + "omObjectClass:: KoZIhvcUAQEBCw==\n"
        + "lDAPDisplayName: msDS-KeyCredentialLink\n"
        + "adminDisplayName: ms-DS-Key-Credential-Link\n"
        + "isSingleValued: FALSE\nlinkID: 2220\nsystemOnly: FALSE\nsearchFlags: 0\n"
        + "schemaIDGUID:: " + Base64.getEncoder().encodeToString(msGuid(KEY_CREDENTIAL_LINK_GUID))
        + "\n" + update;
    String user = "dn: CN=User," + schema + "\nchangetype: modify\nadd: mayContain\n"
        + "mayContain: msDS-KeyCredentialLink\n" + update;
    int step = 0;
    for (String ldif : List.of(attribute, user)) {
      Path file = work.resolve("schema-" + (++step) + ".ldif");
      try {
        Files.writeString(file, ldif, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new LabException("Cannot write " + file + ": " + e.getMessage(), e);
      }
      ProcessResult r = ProcessRunner.run(List.of("ldbmodify", "-H",
          state.resolve("private/sam.ldb").toString(), "--option=dsdb:schema update allowed=true",
          file.toString()), Map.of(), work, new byte[0], Duration.ofMinutes(1), "");
      if (!r.succeeded()) {
        throw new LabException("Adding msDS-KeyCredentialLink to the Samba schema failed at step "
            + step + " (exit " + r.exitCode() + "): " + ProcessRunner.tail(r.stderr(), 10));
      }
    }
  }

  private void awaitReady(Path log) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new LabException("samba exited with " + process.exitValue() + " while starting: "
            + logTail(log));
      }
      if (listening(LDAPS_PORT)) {
        // the socket is open a little before the directory answers binds
        try (LDAPConnection c = admin()) {
          return;
        } catch (LabException e) {
          LOG.debug("Samba DC not answering binds yet: {}", e.getMessage());
        }
      }
      sleep(250);
    }
    throw new LabException("samba did not accept LDAPS binds on 127.0.0.1:" + LDAPS_PORT
        + " within " + START_TIMEOUT.toSeconds() + " s: " + logTail(log));
  }

  /**
   * Lets the lab create users with simple passwords: the domain's complexity and history rules
   * are turned off (a lab only; the DC is thrown away with its directory).
   */
  private void allowPlainPasswordsForLab() {
    try (LDAPConnection c = admin()) {
      c.modify(BASE_DN, new Modification(ModificationType.REPLACE, "pwdProperties", "0"),
          new Modification(ModificationType.REPLACE, "minPwdLength", "0"),
          new Modification(ModificationType.REPLACE, "pwdHistoryLength", "0"),
          new Modification(ModificationType.REPLACE, "minPwdAge", "0"));
    } catch (LDAPException e) {
      throw new LabException("Cannot relax the lab domain's password policy: "
          + e.getDiagnosticMessage(), e);
    }
  }

  /** The domain's naming context. */
  public String baseDn() {
    return BASE_DN;
  }

  /** {@code ldaps://127.0.0.1:636/<base DN>}, the form the LDAP endpoint takes. */
  public String ldapsUri() {
    return "ldaps://127.0.0.1:" + LDAPS_PORT + "/" + BASE_DN;
  }

  /** The CA that issued the DC's certificate (PEM). */
  public Path caFile() {
    return certificates.caFile();
  }

  /** The state directory (the domain, TLS files, samba.log). */
  public Path directory() {
    return dir;
  }

  /** The samba process's pid. */
  public long pid() {
    return process.pid();
  }

  /**
   * Creates an enabled user {@code CN=<name>,CN=Users,...} with sAMAccountName {@code name}, the
   * UPN {@code name@lab.keytrust.test} and {@code password} (not kept), and returns its DN.
   */
  public String createUser(String name, char[] password) {
    return createUser(name, name + "@" + UPN_SUFFIX, password);
  }

  /** As {@link #createUser(String, char[])}, with the userPrincipalName {@code upn}. */
  public String createUser(String name, String upn, char[] password) {
    String dn = "CN=" + name + ",CN=Users," + BASE_DN;
    byte[] unicodePwd = ("\"" + new String(password) + "\"").getBytes(StandardCharsets.UTF_16LE);
    try (LDAPConnection c = admin()) {
      c.add(new Entry(dn,
          new Attribute("objectClass", "top", "person", "organizationalPerson", "user"),
          new Attribute("sAMAccountName", name),
          new Attribute("userPrincipalName", upn),
          new Attribute("unicodePwd", unicodePwd),
          new Attribute("userAccountControl", Integer.toString(UF_NORMAL_ACCOUNT))));
      return dn;
    } catch (LDAPException e) {
      throw new LabException("Cannot create the user " + name + ": " + e.getDiagnosticMessage(), e);
    } finally {
      Arrays.fill(unicodePwd, (byte) 0);
    }
  }

  /** Creates a global security group {@code CN=<name>,CN=Users,...} and returns its DN. */
  public String createGroup(String name) {
    String dn = "CN=" + name + ",CN=Users," + BASE_DN;
    try (LDAPConnection c = admin()) {
      c.add(new Entry(dn, new Attribute("objectClass", "top", "group"),
          new Attribute("sAMAccountName", name),
          new Attribute("groupType", Integer.toString(GLOBAL_SECURITY_GROUP))));
      return dn;
    } catch (LDAPException e) {
      throw new LabException("Cannot create the group " + name + ": " + e.getDiagnosticMessage(), e);
    }
  }

  /** Adds {@code memberDn} to the group {@code groupDn}. */
  public void addMember(String groupDn, String memberDn) {
    try (LDAPConnection c = admin()) {
      c.modify(groupDn, new Modification(ModificationType.ADD, "member", memberDn));
    } catch (LDAPException e) {
      throw new LabException("Cannot add " + memberDn + " to " + groupDn + ": "
          + e.getDiagnosticMessage(), e);
    }
  }

  /** The objectSid of {@code dn} as an S-1-... string. */
  public String sid(String dn) {
    try (LDAPConnection c = admin()) {
      SearchResultEntry e = c.getEntry(dn, "objectSid");
      byte[] sid = e == null ? null : e.getAttributeValueBytes("objectSid");
      if (sid == null) {
        throw new LabException("No objectSid on " + dn);
      }
      return sidString(sid);
    } catch (LDAPException e) {
      throw new LabException("Cannot read the SID of " + dn + ": " + e.getDiagnosticMessage(), e);
    }
  }

  /**
   * The hybrid key trust guide's grant, as an inheritable ACE on the domain root: the group {@code
   * groupDn} may Read and Write property msDS-KeyCredentialLink on descendant User objects.
   */
  public void grantKeyCredentialLink(String groupDn) {
    addDomainRootAce("(OA;CIIO;RPWP;" + KEY_CREDENTIAL_LINK_GUID + ";" + USER_CLASS_GUID + ";"
        + sid(groupDn) + ")");
  }

  /** Adds one ACE, in SDDL (e.g. {@code (OD;CIIO;WP;<guid>;<guid>;<SID>)}), to the domain root. */
  public void addDomainRootAce(String ace) {
    ProcessResult r = ProcessRunner.run(List.of("samba-tool", "dsacl", "set",
        "--objectdn=" + BASE_DN, "--sddl=" + ace, "-H", "ldap://127.0.0.1",
        "-U", "Administrator"), Map.of("PASSWD", new String(adminPassword)), dir, new byte[0],
        Duration.ofMinutes(1), "");
    if (!r.succeeded()) {
      throw new LabException("samba-tool dsacl set " + ace + " failed (exit " + r.exitCode()
          + "): " + ProcessRunner.tail(r.stderr(), 10));
    }
  }

  /**
   * The sync service account of a hybrid key trust deployment, set up as the guide does it.
   *
   * @param accountDn the account's DN (bind DN)
   * @param groupDn the "KeyCredential Admins" group it is a member of
   * @param credentialsFile the LDAP endpoint's credentials file for the account (0600)
   */
  public record KeySyncAccount(String accountDn, String groupDn, Path credentialsFile) {}

  /**
   * The guide's key-sync steps: creates the group "KeyCredential Admins" and the account {@code
   * name} with a random password, makes the account a member, grants the group Read/Write
   * msDS-KeyCredentialLink on descendant User objects at the domain root, and writes the account's
   * credentials file to {@code credentialsFile}. The lab's LDAP endpoint and sync bind as this
   * account, not as Administrator.
   */
  public KeySyncAccount setUpKeySync(String name, Path credentialsFile) {
    byte[] random = new byte[18];
    new java.security.SecureRandom().nextBytes(random);
    char[] password = ("Kt-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "-9")
        .toCharArray();
    try {
      String account = createUser(name, password);
      String group = createGroup(GROUP_KEY_CREDENTIAL_ADMINS);
      addMember(group, account);
      grantKeyCredentialLink(group);
      return new KeySyncAccount(account, group, writeCredentialsFile(credentialsFile, account,
          password));
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** The msDS-KeyCredentialLink values of {@code userDn}, read as Administrator. */
  public List<String> keyCredentialLinks(String userDn) {
    try (LDAPConnection c = admin()) {
      SearchResultEntry e = c.getEntry(userDn, "msDS-KeyCredentialLink");
      if (e == null) {
        throw new LabException("No entry " + userDn);
      }
      String[] values = e.getAttributeValues("msDS-KeyCredentialLink");
      return values == null ? List.of() : List.of(values);
    } catch (LDAPException e) {
      throw new LabException("Cannot read " + userDn + ": " + e.getDiagnosticMessage(), e);
    }
  }

  /** Writes a credentials file for the LDAP endpoint ({@code bind-dn=}, {@code password=}, 0600). */
  public static Path writeCredentialsFile(Path file, String bindDn, char[] password) {
    try {
      Files.deleteIfExists(file);
      Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, "bind-dn=" + bindDn + "\npassword=" + new String(password) + "\n",
          StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new LabException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private LDAPConnection admin() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("lab-ca", certificates.caCertificate());
      SSLSocketFactory sockets = new SSLUtil(new javax.net.ssl.TrustManager[] {
          trustManager(trust)}).createSSLSocketFactory();
      LDAPConnection c = new LDAPConnection(sockets, "127.0.0.1", LDAPS_PORT);
      ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(adminPassword));
      byte[] password = Arrays.copyOf(encoded.array(), encoded.limit());
      Arrays.fill(encoded.array(), (byte) 0);
      try {
        c.bind(new SimpleBindRequest("CN=Administrator,CN=Users," + BASE_DN, password));
      } catch (LDAPException e) {
        c.close();
        throw e;
      } finally {
        Arrays.fill(password, (byte) 0);
      }
      return c;
    } catch (LDAPException e) {
      throw new LabException("Cannot bind to the lab DC as Administrator: "
          + e.getDiagnosticMessage() + " (" + e.getResultCode() + ")", e);
    } catch (GeneralSecurityException | IOException e) {
      throw new LabException("Cannot set up TLS to the lab DC: " + e.getMessage(), e);
    }
  }

  private static javax.net.ssl.TrustManager trustManager(KeyStore trust)
      throws GeneralSecurityException {
    javax.net.ssl.TrustManagerFactory f = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    f.init(trust);
    return f.getTrustManagers()[0];
  }

  /** Stops samba and its children (TERM, then KILL after 10 s) and wipes the admin password. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<ProcessHandle> all = new ArrayList<>();
    process.descendants().forEach(all::add);
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroy);
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        h.destroyForcibly();
      }
    }
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Arrays.fill(adminPassword, '\0');
    LOG.info("Samba DC (pid {}) stopped", process.pid());
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String logTail(Path log) {
    try {
      return ProcessRunner.tail(Files.readString(log, StandardCharsets.UTF_8), 15);
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("Interrupted while waiting for the Samba DC", e);
    }
  }

  /** A GUID in Microsoft byte order (the first three fields little-endian). */
  static byte[] msGuid(UUID id) {
    ByteBuffer b = ByteBuffer.allocate(16);
    b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (id.getMostSignificantBits() >>> 32))
        .putShort((short) (id.getMostSignificantBits() >>> 16))
        .putShort((short) id.getMostSignificantBits());
    b.order(ByteOrder.BIG_ENDIAN).putLong(id.getLeastSignificantBits());
    return b.array();
  }

  static String sidString(byte[] sid) {
    long authority = 0;
    for (int i = 2; i < 8; i++) {
      authority = (authority << 8) | (sid[i] & 0xFF);
    }
    StringBuilder s = new StringBuilder("S-").append(sid[0] & 0xFF).append('-').append(authority);
    ByteBuffer le = ByteBuffer.wrap(sid).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < (sid[1] & 0xFF); i++) {
      s.append('-').append(Integer.toUnsignedLong(le.getInt(8 + 4 * i)));
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return "SambaDc[" + REALM + ", pid " + process.pid() + ", " + dir + "]";
  }
}
