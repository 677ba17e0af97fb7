package dev.keytrust.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code keytrust lab up [--dir D] [--sync-interval DURATION]}: runs a key trust lab on 127.0.0.1
 * until Ctrl-C (or SIGTERM).
 *
 * <p>It starts ({@link Lab}), each on a free loopback port: swtpm when it is installed ({@link Swtpm}, its state
 * in {@code D/swtpm}), the DRS-style key service with push MFA ({@link LabKeyService}, HTTPS with a CA generated
 * into D), a directory ({@link LabDirectory}, LDAP and LDAPS) with the users alice and bob and a
 * bind account, and the sync job ({@link LabSync}) that copies registered keys into the users'
 * msDS-KeyCredentialLink. It writes into D what a client needs, prints every endpoint as {@code
 * name: value} lines and then a line {@code ready}. A shutdown hook, registered before the lab
 * starts, stops all it started (swtpm through its own process handle), also when the signal comes
 * while the lab is still starting, and prints {@code stopped}.
 *
 * <p>With {@code --samba} the directory is a Samba AD DC ({@link SambaDc}); with {@code --kdc} it
 * is the lab KDC ({@link dev.keytrust.lab.kdc.KeyTrustKdc}: realm KEYTRUST.LAB, KDC and LDAPS on
 * 127.0.0.2, accepting key trust PKINIT), and the lab also prints the realm, the KDC, its CA file,
 * a krb5.conf for MIT klist/kvno and the chroot for Heimdal's tools. The hook stops the KDC by its
 * pid file and unmounts its chroot.
 *
 * <p>{@code keytrust demo} ({@link LabDemo}) runs the whole story on such a lab in-process.
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
  /** The device context file {@code lab up} writes for the first user ({@code provision --device}). */
  public static final String DEVICE_FILE = "device.conf";
  /** The LDAP credentials file (format of the LDAP endpoint's credentials-file setting). */
  public static final String LDAP_CREDENTIALS_FILE = "ldap.cred";

  private static final String USAGE =
      "Usage: keytrust lab up [--dir D] [--sync-interval DURATION] [--push-approve auto|manual]\n"
          + "       keytrust lab fleet --devices N --concurrency C [--dir D] [--max-time DURATION]\n"
          + "  (the fleet benchmark: see keytrust lab fleet --help)\n"
          + "                       [--samba | --kdc]\n"
          + "  Runs a key trust lab on 127.0.0.1 until Ctrl-C: swtpm (when installed), the DRS-style\n"
          + "  key service with push MFA (HTTPS), an LDAP directory and the key sync job.\n"
          + "  --dir D                  where the CA, tokens and credentials go (default: a new\n"
          + "                           folder under the temp dir); must be empty or new\n"
          + "  --sync-interval DURATION sync cycle, e.g. 30m (default), 10s, 2h, PT5M; at least 1s\n"
          + "  --push-approve MODE      push MFA requests: auto (approved after 3s, the default) or\n"
          + "                           manual (POST .../mfa/push/ID/approve or /deny)\n"
          + "  --samba                  the directory is a Samba AD DC (root; LDAPS on 127.0.0.1:636)\n"
          + "                           with msDS-KeyCredentialLink, KeyCredential Admins and a sync\n"
          + "                           account holding the key-sync grant (instead of in-process LDAP)\n"
          + "  --kdc                    the directory is the lab KDC (root): a Samba 4.24 AD DC in a\n"
          + "                           cached Debian chroot, realm KEYTRUST.LAB, KDC 127.0.0.2:88 and\n"
          + "                           LDAPS :636 (the next free 127.0.0.x if taken), accepting key\n"
          + "                           trust PKINIT; set up as with --samba.\n"
          + "                           First use builds the chroot (debootstrap, ~2 min) into\n"
          + "                           ~/.cache/keytrust (KEYTRUST_KDC_CACHE to move it)\n"
          + "Usage: keytrust demo [--dir D] [--keep]\n"
          + "  Runs the whole hybrid key trust story on an in-process lab; see keytrust demo --help.\n";

  /** How long the shutdown hook waits for a lab that is starting to give up. */
  private static final Duration START_ABORT_WAIT = Duration.ofSeconds(30);

  private static volatile boolean shutDown;

  private LabMain() {}

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      boolean demo = args.length > 0 && args[0].equals("demo");
      System.setProperty("logback.configurationFile",
          demo ? "keytrust-demo-logback.xml" : "keytrust-lab-logback.xml");
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
    if (command.equals("demo")) {
      return LabDemo.run(a.toArray(new String[0]), out, err);
    }
    if (command.equals("fleet")) {
      return LabFleet.run(a.toArray(new String[0]), out, err);
    }
    if (!command.equals("up")) {
      err.println("keytrust lab: unknown command '" + command + "'; use 'keytrust lab up'.");
      err.print(USAGE);
      return 2;
    }
    Path dir = null;
    Duration interval = LabSync.DEFAULT_INTERVAL;
    Duration push = Lab.DEFAULT_PUSH_DELAY;
    boolean samba = false;
    boolean kdc = false;
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
      if (option.equals("--samba") && value == null) {
        samba = true;
        continue;
      }
      if (option.equals("--kdc") && value == null) {
        kdc = true;
        continue;
      }
      if (!option.equals("--dir") && !option.equals("--sync-interval")
          && !option.equals("--push-approve")) {
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
      } else if (option.equals("--push-approve")) {
        if (value.equals("auto")) {
          push = Lab.DEFAULT_PUSH_DELAY;
        } else if (value.equals("manual")) {
          push = null;
        } else {
          err.println("keytrust lab: --push-approve: '" + value + "' is neither auto nor manual.");
          return 2;
        }
      } else {
        try {
          interval = LabSync.parseInterval(value);
        } catch (IllegalArgumentException e) {
          err.println("keytrust lab: --sync-interval: " + e.getMessage() + ".");
          return 2;
        }
      }
    }
    if (samba && kdc) {
      err.println("keytrust lab: --samba and --kdc are two directories; choose one.");
      return 2;
    }
    // The hook is registered before the lab starts, so that Ctrl-C or SIGTERM while it starts (a
    // Samba DC takes seconds to provision) also stops what already runs.
    AtomicReference<Lab> running = new AtomicReference<>();
    CountDownLatch startEnded = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread starter = Thread.currentThread();
    Thread hook = new Thread(() -> {
      shutDown = true;
      closeIfAny(running); // what runs stops now; a part still starting is stopped once it is up
      if (startEnded.getCount() > 0) {
        starter.interrupt(); // ends a wait for swtpm or Samba early
        try {
          startEnded.await(START_ABORT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        closeIfAny(running); // a lab handed over after the first look
      }
      out.println("stopped");
      out.flush();
      stopped.countDown();
    }, "keytrust-lab-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Lab.start(new Lab.Options(dir, interval, push, true, samba, kdc), out, running::set);
    } catch (RuntimeException | IOException e) {
      if (!shutDown) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
          // a shutdown began meanwhile: the hook stops what started
        }
        err.println("keytrust lab: cannot start the lab: " + e.getMessage());
      }
      return 1;
    } finally {
      startEnded.countDown();
    }
    if (!shutDown) {
      out.println("ready");
      out.flush();
    }
    try {
      stopped.await(); // until the shutdown hook ran (Ctrl-C, SIGTERM)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static void closeIfAny(AtomicReference<Lab> lab) {
    Lab l = lab.get();
    if (l != null) {
      l.close();
    }
  }

}
