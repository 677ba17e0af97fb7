package dev.keytrust.lab.kdc;

import dev.keytrust.lab.LabException;
import dev.keytrust.lab.ProcessResult;
import dev.keytrust.lab.ProcessRunner;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The root file system of the lab KDC: a Debian {@value KdcRecipe#SUITE} minbase chroot with Samba
 * (>= 4.24, from {@value KdcRecipe#BACKPORTS}) and Heimdal's clients, built once with {@code
 * debootstrap} and {@code apt-get} (about 2 minutes, ~450 MiB) and then reused by every lab KDC
 * run, which never writes into it (each run mounts an overlay of it, see {@link KeyTrustKdc}).
 *
 * <p><b>Where it is:</b> {@code <cache>/kdc-root-<hash>}, where {@code <hash>} is {@link
 * KdcRecipe#hash()} (the package lists, the suite and the config templates: a changed recipe builds
 * a new root) and {@code <cache>} is, first found:
 *
 * <ol>
 *   <li>the system property {@value #CACHE_PROPERTY};
 *   <li>the environment variable {@value #CACHE_ENV};
 *   <li>{@code $XDG_CACHE_HOME/keytrust}, or {@code ~/.cache/keytrust}.
 * </ol>
 *
 * <p>Delete the folder to have it built again (only while no lab KDC runs: a running one has it as
 * its overlay's lower layer); roots of older recipes are not deleted automatically (another
 * checkout may still use them). The build log is {@code <cache>/kdc-root-<hash>.log}.
 *
 * <p><b>How it is built:</b> into the sibling {@code .kdc-root-<hash>.building}, renamed to its
 * final name only when complete, so an interrupted build never leaves a root that looks complete
 * (the next build removes the leftover, unmounting first). One build at a time per cache folder (a
 * file lock, {@code .kdc-root.lock}): a second process waits and then uses the first one's root.
 * The packages come from the Debian mirror this machine's apt uses (the first Debian URI in {@code
 * /etc/apt/sources.list.d/*.sources}, {@code *.list} or {@code /etc/apt/sources.list}), or from
 * the system property {@value #MIRROR_PROPERTY} / the environment variable {@value #MIRROR_ENV}.
 * Needs root and debootstrap.
 */
public final class KdcRootImage {
  /** System property: the folder that holds the cached roots. */
  public static final String CACHE_PROPERTY = "keytrust.kdc.cache";
  /** Environment variable: the folder that holds the cached roots (after the property). */
  public static final String CACHE_ENV = "KEYTRUST_KDC_CACHE";
  /** System property: the Debian mirror URL (default: the host's apt sources). */
  public static final String MIRROR_PROPERTY = "keytrust.kdc.mirror";
  /** Environment variable: the Debian mirror URL (after the property). */
  public static final String MIRROR_ENV = "KEYTRUST_KDC_MIRROR";
  /** The file in a finished root that says what it is. */
  static final String MARKER = "/etc/keytrust-kdc-root";

  private static final Duration DEBOOTSTRAP_TIMEOUT = Duration.ofMinutes(20);
  private static final Duration APT_TIMEOUT = Duration.ofMinutes(20);

  private KdcRootImage() {}

  /** The recipe's hash, the suffix of the root's folder name. */
  public static String recipeHash() {
    return KdcRecipe.hash();
  }

  /** The folder that holds the cached roots (see the class comment). */
  public static Path cacheDir() {
    String configured = System.getProperty(CACHE_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(CACHE_ENV);
    }
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
        ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("keytrust").toAbsolutePath().normalize();
  }

  /** {@code <cache>/kdc-root-<hash>}: where this recipe's root is (or will be). */
  public static Path path() {
    return cacheDir().resolve("kdc-root-" + recipeHash());
  }

  /** True when this recipe's root is built (complete: it was renamed into place). */
  public static boolean cached() {
    return Files.isRegularFile(Chroot.hostPath(path(), MARKER));
  }

  /**
   * Why the root cannot be built here, or empty when it can (root, debootstrap). A cached root
   * needs neither debootstrap nor the mirror.
   */
  public static Optional<String> cannotBuild() {
    if (!KeyTrustKdc.isRoot()) {
      return Optional.of("the lab KDC needs root (chroot, mount, Samba's DC)");
    }
    if (!cached() && !ProcessRunner.onPath("debootstrap")) {
      return Optional.of("debootstrap is not installed: install debootstrap (apt-get install"
          + " debootstrap, or ./scripts/install-deps.sh)");
    }
    return Optional.empty();
  }

  /**
   * The finished root, built first when it is not cached (see the class comment).
   *
   * @throws LabException when it cannot be built (not root, no debootstrap, no mirror, a failing
   *     step: the message says which, with the log's tail and the log file)
   */
  static Path ensure(KdcProgress progress) {
    Path root = path();
    if (cached()) {
      return root;
    }
    cannotBuild().ifPresent(reason -> {
      throw new LabException("Cannot build the lab KDC's root " + root + ": " + reason + ".");
    });
    Path cache = cacheDir();
    try {
      Files.createDirectories(cache);
    } catch (IOException e) {
      throw new LabException("Cannot create the KDC cache folder " + cache + ": " + e.getMessage()
          + ". Set -D" + CACHE_PROPERTY + " or " + CACHE_ENV + " to another folder.", e);
    }
    Path lockFile = cache.resolve(".kdc-root.lock");
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        progress.stage("waiting for another process's build of the KDC root (" + lockFile + ")");
        lock = channel.lock();
      }
      try {
        if (cached()) {
          return root; // the other process built it
        }
        if (Files.exists(root)) {
          throw new LabException(root + " exists but is not a complete KDC root (no " + MARKER
              + " in it): delete it (rm -rf --one-file-system " + root + ") to have it built"
              + " again.");
        }
        try {
          build(cache, root, progress);
        } catch (IOException e) {
          throw new LabException("Building the KDC root in " + cache + " failed: "
              + e.getMessage(), e);
        }
        return root;
      } finally {
        lock.release();
      }
    } catch (IOException e) {
      throw new LabException("Cannot lock " + lockFile + " for the KDC root build: "
          + e.getMessage(), e);
    }
  }

  private static void build(Path cache, Path root, KdcProgress progress) throws IOException {
    removeLeftovers(cache);
    String mirror = mirror();
    Path tmp = cache.resolve("." + root.getFileName() + ".building");
    Path log = cache.resolve(root.getFileName() + ".log");
    Files.writeString(log, "keytrust lab KDC root, recipe " + recipeHash() + ", mirror " + mirror
        + ", " + Instant.now() + "\n", StandardCharsets.UTF_8);
    boolean done = false;
    // a JVM that exits mid-build (Ctrl-C) stops what runs in the new root and unmounts its /proc
    // and /dev, so that no one deletes the leftover with the host's /dev bound into it
    Thread hook = new Thread(() -> {
      Chroot.processesRootedAt(tmp).forEach(p -> ProcessHandle.of(p)
          .ifPresent(ProcessHandle::destroyForcibly));
      Chroot.unmountAll(tmp);
    }, "keytrust-kdc-root-build-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      progress.stage("debootstrap " + KdcRecipe.SUITE + " (" + KdcRecipe.VARIANT + ") from "
          + mirror + " into " + tmp + " (first build only; about 2 minutes in all)");
      List<String> debootstrap = new ArrayList<>(List.of("debootstrap",
          "--variant=" + KdcRecipe.VARIANT));
      if (!KdcRecipe.DEBOOTSTRAP_INCLUDE.isEmpty()) {
        debootstrap.add("--include=" + String.join(",", KdcRecipe.DEBOOTSTRAP_INCLUDE));
      }
      debootstrap.addAll(List.of(KdcRecipe.SUITE, tmp.toString(), mirror));
      ProcessResult r = ProcessRunner.run(debootstrap, Map.of(), cache, new byte[0],
          DEBOOTSTRAP_TIMEOUT, "debootstrap downloads about 220 MiB from " + mirror + ".");
      append(log, r);
      if (!r.succeeded()) {
        String own = Chroot.readInRoot(tmp, "/debootstrap/debootstrap.log").orElse("");
        throw new LabException("debootstrap " + KdcRecipe.SUITE + " from " + mirror
            + " failed (exit " + r.exitCode() + "): " + ProcessRunner.tail(r.stdout() + r.stderr()
            + own, 12) + "\nIs the mirror reachable? Log: " + log + ". Another mirror: -D"
            + MIRROR_PROPERTY + "=URL or " + MIRROR_ENV + "=URL.");
      }

      Chroot.writeInRoot(tmp, "/etc/apt/sources.list", KdcRecipe.fill(KdcRecipe.SOURCES_LIST,
          Map.of("MIRROR", mirror, "SUITE", KdcRecipe.SUITE, "BACKPORTS", KdcRecipe.BACKPORTS)),
          "rw-r--r--");
      Chroot.writeInRoot(tmp, "/usr/sbin/policy-rc.d", KdcRecipe.POLICY_RC_D, "rwxr-xr-x");
      // apt inside the root resolves the mirror like the host; replaced per run
      Chroot.writeInRoot(tmp, "/etc/resolv.conf", Files.readAllBytes(Path.of("/etc/resolv.conf")),
          "rw-r--r--");
      Chroot.mountProcAndDev(tmp);

      progress.stage("packages: " + String.join(" ", KdcRecipe.SAMBA_PACKAGES) + " from "
          + KdcRecipe.BACKPORTS + "; " + String.join(" ", KdcRecipe.CLIENT_PACKAGES)
          + " (--no-install-recommends)");
      apt(tmp, log, List.of("apt-get", "update", "-q"));
      List<String> samba = new ArrayList<>(List.of("apt-get", "install", "-y", "-q",
          "--no-install-recommends", "-t", KdcRecipe.BACKPORTS));
      samba.addAll(KdcRecipe.SAMBA_PACKAGES);
      apt(tmp, log, samba);
      List<String> clients = new ArrayList<>(List.of("apt-get", "install", "-y", "-q",
          "--no-install-recommends"));
      clients.addAll(KdcRecipe.CLIENT_PACKAGES);
      apt(tmp, log, clients);
      apt(tmp, log, List.of("apt-get", "clean"));

      String version = sambaVersion(tmp);
      if (!atLeast(version, KdcRecipe.MIN_SAMBA)) {
        throw new LabException(KdcRecipe.BACKPORTS + " installed samba " + version + ", older than "
            + KdcRecipe.MIN_SAMBA[0] + "." + KdcRecipe.MIN_SAMBA[1] + ": its KDC does not check"
            + " PKINIT keys against msDS-KeyCredentialLink. The recipe (KdcRecipe) needs a newer"
            + " suite.");
      }
      // provisioning refuses to overwrite the packaged smb.conf
      Files.deleteIfExists(Chroot.hostPath(tmp, "/etc/samba/smb.conf"));
      Chroot.writeInRoot(tmp, "/etc/resolv.conf", "# written per run\n", "rw-r--r--");
      Chroot.writeInRoot(tmp, MARKER, "recipe=" + recipeHash() + "\nsuite=" + KdcRecipe.SUITE
          + "\nsamba=" + version + "\nmirror=" + mirror + "\nbuilt=" + Instant.now() + "\n",
          "rw-r--r--");

      List<Path> left = Chroot.unmountAll(tmp);
      if (!left.isEmpty()) {
        throw new LabException("Cannot unmount " + left + " from the new KDC root; it is not used."
            + " Unmount them (umount -R) and delete " + tmp + ".");
      }
      Files.move(tmp, root, StandardCopyOption.ATOMIC_MOVE);
      done = true;
      progress.stage("root ready: samba " + version + ", " + sizeMiB(root) + " MiB, " + root);
    } finally {
      if (!done) {
        List<Path> left = Chroot.unmountAll(tmp);
        if (left.isEmpty()) {
          Chroot.deleteTree(tmp);
        }
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs
      }
    }
  }

  /** Unmounts and deletes {@code .kdc-root-*.building} folders of interrupted builds. */
  private static void removeLeftovers(Path cache) throws IOException {
    List<Path> leftovers;
    try (Stream<Path> entries = Files.list(cache)) {
      leftovers = entries.filter(p -> p.getFileName().toString().startsWith(".kdc-root-")
          && p.getFileName().toString().endsWith(".building")).toList();
    }
    for (Path p : leftovers) {
      List<Path> left = Chroot.unmountAll(p);
      if (!left.isEmpty()) {
        throw new LabException("An interrupted KDC root build left " + left + " mounted, and"
            + " umount could not remove it. Unmount it (umount -R -l), then delete " + p + ".");
      }
      Chroot.deleteTree(p);
    }
  }

  private static void apt(Path root, Path log, List<String> command) {
    ProcessResult r = Chroot.run(root, command, Map.of("DEBIAN_FRONTEND", "noninteractive"),
        new byte[0], APT_TIMEOUT, "apt downloads about 230 MiB.");
    append(log, r);
    if (!r.succeeded()) {
      throw new LabException("'" + String.join(" ", command) + "' in the KDC root failed (exit "
          + r.exitCode() + "): " + ProcessRunner.tail(r.stdout() + "\n" + r.stderr(), 12)
          + "\nIs the Debian mirror reachable? Log: " + log);
    }
  }

  /** The installed samba package's version in {@code root}, e.g. {@code 2:4.24.1+dfsg-1~bpo13+1}. */
  static String sambaVersion(Path root) {
    ProcessResult r = Chroot.run(root, List.of("dpkg-query", "-W", "-f=${Version}", "samba"),
        Map.of(), new byte[0], Duration.ofSeconds(30), "");
    if (!r.succeeded() || r.stdout().isBlank()) {
      throw new LabException("samba is not installed in the KDC root " + root + ": "
          + ProcessRunner.tail(r.stderr(), 5));
    }
    return r.stdout().strip();
  }

  /** True when a Debian version ({@code [epoch:]major.minor...}) is at least {@code min}. */
  static boolean atLeast(String debianVersion, int[] min) {
    String v = debianVersion.substring(debianVersion.indexOf(':') + 1);
    String[] parts = v.split("[^0-9]+");
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return major > min[0] || (major == min[0] && minor >= min[1]);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return false;
    }
  }

  /**
   * The Debian mirror: {@value #MIRROR_PROPERTY}, {@value #MIRROR_ENV}, or the first Debian URI of
   * the host's apt sources (not a security one).
   */
  static String mirror() {
    String configured = System.getProperty(MIRROR_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(MIRROR_ENV);
    }
    if (configured != null && !configured.isBlank()) {
      return configured.strip();
    }
    List<Path> files = new ArrayList<>();
    Path dir = Path.of("/etc/apt/sources.list.d");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.toString().endsWith(".sources")).sorted().forEach(files::add);
      } catch (IOException e) {
        // read what else there is
      }
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.toString().endsWith(".list")).sorted().forEach(files::add);
      } catch (IOException e) {
        // read what else there is
      }
    }
    files.add(Path.of("/etc/apt/sources.list"));
    for (Path f : files) {
      Optional<String> found = debianMirrorIn(f);
      if (found.isPresent()) {
        return found.get();
      }
    }
    throw new LabException("No Debian mirror found in this machine's apt sources (/etc/apt/"
        + "sources.list, /etc/apt/sources.list.d/*.sources or *.list): the lab KDC's root is"
        + " built from one. Set -D" + MIRROR_PROPERTY + "=URL or " + MIRROR_ENV
        + "=URL (e.g. http://deb.debian.org/debian).");
  }

  /** The first Debian archive URI in one apt sources file (deb822 or one-line format). */
  static Optional<String> debianMirrorIn(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.empty();
    }
    for (String raw : lines) {
      String line = raw.strip();
      List<String> uris = new ArrayList<>();
      if (line.startsWith("URIs:")) {
        uris.addAll(List.of(line.substring(5).strip().split("\\s+")));
      } else if (line.startsWith("deb ")) {
        String rest = line.substring(4).strip();
        if (rest.startsWith("[")) {
          int close = rest.indexOf(']');
          rest = close < 0 ? "" : rest.substring(close + 1).strip();
        }
        if (!rest.isEmpty()) {
          uris.add(rest.split("\\s+")[0]);
        }
      }
      for (String uri : uris) {
        if (isDebianArchive(uri)) {
          return Optional.of(uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean isDebianArchive(String uri) {
    try {
      URI u = URI.create(uri);
      String path = u.getPath() == null ? "" : u.getPath();
      return (u.getScheme() != null && u.getScheme().startsWith("http"))
          && path.replaceAll("/+$", "").endsWith("/debian");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static long sizeMiB(Path dir) {
    ProcessResult r = ProcessRunner.run(List.of("du", "-sxm", dir.toString()), Map.of(), dir,
        new byte[0], Duration.ofMinutes(2), "");
    try {
      return Long.parseLong(r.stdout().split("\\s+")[0]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void append(Path log, ProcessResult r) {
    try {
      Files.writeString(log, "\n$ " + r.commandLine() + "   (exit " + r.exitCode() + ")\n"
          + r.stdout() + r.stderr(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the log is a convenience; the step's own result decides
    }
  }
}
