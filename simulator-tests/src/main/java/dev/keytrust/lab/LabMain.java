package dev.keytrust.lab;

import dev.keytrust.lab.LabKeyService.TokenClaims;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * {@code keytrust lab up [--dir D] [--sync-interval DURATION]}: runs a key trust lab on 127.0.0.1
 * until Ctrl-C (or SIGTERM).
 *
 * <p>It starts, each on a free loopback port: swtpm when it is installed ({@link Swtpm}, its state
 * in {@code D/swtpm}), the DRS-style key service ({@link LabKeyService}, HTTPS with a CA generated
 * into D), a directory ({@link LabDirectory}, LDAP and LDAPS) with the users alice and bob and a
 * bind account, and the sync job ({@link LabSync}) that copies registered keys into the users'
 * msDS-KeyCredentialLink. It writes into D what a client needs, prints every endpoint as {@code
 * name: value} lines and then a line {@code ready}. A shutdown hook stops all it started (swtpm
 * through its own process handle) and prints {@code stopped}.
 *
 * <p>Exit codes: 0 after a clean stop, 1 when the lab cannot start, 2 for bad arguments.
 */
public final class LabMain {
  /** The users the lab directory holds. */
  public static final List<String> USERS = List.of("alice", "bob");
  /** The lab's UPN suffix. */
  public static final String UPN_SUFFIX = "@keytrust.lab";
  /** The bind account of the LDAP endpoint. */
  public static final String BIND_ACCOUNT = "svc-keytrust";
  /** How long the issued tokens are valid. */
  public static final Duration TOKEN_LIFETIME = Duration.ofHours(24);
  /** The file with the endpoints, for {@code source}. */
  public static final String ENV_FILE = "lab.env";
  /** The LDAP credentials file (format of the LDAP endpoint's credentials-file setting). */
  public static final String LDAP_CREDENTIALS_FILE = "ldap.cred";

  private static final String USAGE =
      "Usage: keytrust lab up [--dir D] [--sync-interval DURATION]\n"
          + "  Runs a key trust lab on 127.0.0.1 until Ctrl-C: swtpm (when installed), the DRS-style\n"
          + "  key service (HTTPS), an LDAP directory and the key sync job.\n"
          + "  --dir D                  where the CA, tokens and credentials go (default: a new\n"
          + "                           folder under the temp dir); must be empty or new\n"
          + "  --sync-interval DURATION sync cycle, e.g. 30m (default), 10s, 2h, PT5M; at least 1s\n";

  private static volatile boolean shutDown;

  private final PrintStream out;
  private final List<AutoCloseable> started = new ArrayList<>();

  private LabMain(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "keytrust-lab-logback.xml");
    }
    int code = run(args, System.out, System.err);
    if (!shutDown) {
      System.exit(code); // after a shutdown hook ran, the JVM is exiting already
    }
  }

  /** Runs the command; returns the exit code once the lab has stopped (or could not start). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Deque<String> a = new ArrayDeque<>(List.of(args));
    if (a.isEmpty() || a.peek().equals("-h") || a.peek().equals("--help")) {
      (a.isEmpty() ? err : out).print(USAGE);
      return a.isEmpty() ? 2 : 0;
    }
    String command = a.pop();
    if (!command.equals("up")) {
      err.println("keytrust lab: unknown command '" + command + "'; use 'keytrust lab up'.");
      err.print(USAGE);
      return 2;
    }
    Path dir = null;
    Duration interval = LabSync.DEFAULT_INTERVAL;
    while (!a.isEmpty()) {
      String option = a.pop();
      String value = null;
      int eq = option.indexOf('=');
      if (option.startsWith("--") && eq > 0) {
        value = option.substring(eq + 1);
        option = option.substring(0, eq);
      }
      if (option.equals("-h") || option.equals("--help")) {
        out.print(USAGE);
        return 0;
      }
      if (!option.equals("--dir") && !option.equals("--sync-interval")) {
        err.println("keytrust lab: unknown option '" + option + "'.");
        err.print(USAGE);
        return 2;
      }
      if (value == null) {
        if (a.isEmpty()) {
          err.println("keytrust lab: " + option + " needs a value.");
          return 2;
        }
        value = a.pop();
      }
      if (option.equals("--dir")) {
        dir = Path.of(value).toAbsolutePath().normalize();
      } else {
        try {
          interval = LabSync.parseInterval(value);
        } catch (IllegalArgumentException e) {
          err.println("keytrust lab: --sync-interval: " + e.getMessage() + ".");
          return 2;
        }
      }
    }
    LabMain lab = new LabMain(out);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      shutDown = true;
      lab.stopAll();
      out.println("stopped");
      out.flush();
      stopped.countDown();
    }, "keytrust-lab-shutdown");
    try {
      lab.up(dir, interval);
    } catch (RuntimeException | IOException e) {
      lab.stopAll();
      err.println("keytrust lab: cannot start the lab: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("ready");
    out.flush();
    try {
      stopped.await(); // until the shutdown hook ran (Ctrl-C, SIGTERM)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private void up(Path requestedDir, Duration interval) throws IOException {
    Path dir = prepare(requestedDir);
    out.println("dir: " + dir);

    LabCertificates certs = LabCertificates.create(dir);
    LabKeyService service = LabKeyService.start(certs);
    started.add(service);
    LabDirectory directory = LabDirectory.start(certs);
    started.add(directory);

    // the directory: users, a bind account with a random password
    List<String> upns = new ArrayList<>();
    for (String user : USERS) {
      String upn = user + UPN_SUFFIX;
      String cn = Character.toUpperCase(user.charAt(0)) + user.substring(1);
      out.println("user: " + upn + " " + directory.addUser(cn, upn, user));
      upns.add(upn);
    }
    char[] password = randomPassword();
    String bindDn = directory.addBindAccount(BIND_ACCOUNT, password);
    Path ldapCred = secretFile(dir.resolve(LDAP_CREDENTIALS_FILE),
        "# keytrust lab: bind account of the LDAP endpoint (credentials-file setting)\n"
            + "bind-dn=" + bindDn + "\npassword=" + new String(password) + "\n");

    // tokens: one device per user, as after device registration
    List<Path> tokens = new ArrayList<>();
    for (String upn : upns) {
      UUID device = UUID.randomUUID();
      String token = service.issueToken(new TokenClaims(upn, device, LabTokens.defaultAmr(),
          Instant.now().plus(TOKEN_LIFETIME)));
      Path f = secretFile(dir.resolve(upn.substring(0, upn.indexOf('@')) + ".token"), token + "\n");
      tokens.add(f);
      out.println("token: " + upn + " " + f + " (device " + device + ", valid "
          + TOKEN_LIFETIME.toHours() + " h)");
    }

    LabSync sync = LabSync.start(service, directory, interval);
    started.add(0, sync); // stopped first

    Swtpm swtpm = null;
    if (Swtpm.available()) {
      swtpm = Swtpm.startTcp(dir.resolve("swtpm"));
      started.add(swtpm);
    }

    String drs = service.baseUri().toString();
    out.println("ca-file: " + certs.caFile());
    out.println("drs: " + drs + LabKeyService.KEY_PATH);
    out.println("ldap: " + directory.ldapUri());
    out.println("ldaps: " + directory.ldapsUri());
    out.println("ldap-credentials: " + ldapCred);
    out.println("sync: every " + describe(interval) + ", next at "
        + sync.nextCycle().map(Instant::toString).orElse("-"));
    if (swtpm != null) {
      out.println("tpm: " + swtpm.tpmUri());
      out.println("swtpm-pid: " + swtpm.pid());
    } else {
      out.println("tpm: none (" + Swtpm.MISSING_MESSAGE + " Use --tpm software.)");
    }
    out.println("provision: keytrust provision --user " + upns.get(0)
        + (swtpm != null ? " --tpm " + swtpm.tpmUri() : " --tpm software")
        + " --endpoint " + drs
        + " --endpoint-setting token-file=" + tokens.get(0)
        + " --endpoint-setting ca-file=" + certs.caFile());

    StringBuilder env = new StringBuilder("# keytrust lab endpoints (source this file)\n");
    env.append("KEYTRUST_LAB_DIR='").append(dir).append("'\n");
    env.append("KEYTRUST_LAB_CA_FILE='").append(certs.caFile()).append("'\n");
    env.append("KEYTRUST_LAB_DRS='").append(drs).append("'\n");
    env.append("KEYTRUST_LAB_LDAP='").append(directory.ldapUri()).append("'\n");
    env.append("KEYTRUST_LAB_LDAPS='").append(directory.ldapsUri()).append("'\n");
    env.append("KEYTRUST_LAB_LDAP_CREDENTIALS='").append(ldapCred).append("'\n");
    for (int i = 0; i < upns.size(); i++) {
      env.append("KEYTRUST_LAB_TOKEN_").append(USERS.get(i).toUpperCase(java.util.Locale.ROOT))
          .append("='").append(tokens.get(i)).append("'\n");
    }
    if (swtpm != null) {
      env.append("KEYTRUST_TPM='").append(swtpm.tpmUri()).append("'\n");
      env.append("KEYTRUST_LAB_SWTPM_PID='").append(swtpm.pid()).append("'\n");
    }
    Files.writeString(dir.resolve(ENV_FILE), env.toString(), StandardCharsets.UTF_8);
    out.println("env: " + dir.resolve(ENV_FILE));
  }

  private static Path prepare(Path requested) throws IOException {
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

  private static Path secretFile(Path f, String content) throws IOException {
    Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(f, content, StandardCharsets.UTF_8);
    return f;
  }

  private static char[] randomPassword() {
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    return ("Lab-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b)).toCharArray();
  }

  private static String describe(Duration d) {
    if (d.toSeconds() % 3600 == 0) {
      return d.toHours() + "h";
    }
    if (d.toSeconds() % 60 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toSeconds() + "s";
  }

  /** Stops everything started, the sync job first, swtpm last; each once. */
  private synchronized void stopAll() {
    for (AutoCloseable c : started) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("keytrust lab: stopping " + c + " failed: " + e.getMessage());
      }
    }
    started.clear();
  }
}
