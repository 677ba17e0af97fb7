package dev.keytrust.lab.kdc;

import dev.keytrust.lab.LabException;
import dev.keytrust.lab.LabFiles;
import dev.keytrust.lab.ProcessResult;
import dev.keytrust.lab.ProcessRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The host side of a chroot: commands run in it (with a clean environment), its mounts (the
 * per-run overlay, {@code /proc}, {@code /dev} bound in recursively and made a slave so nothing
 * propagates back to the host), the processes running in it, and writes and deletes that never
 * leave it. Internal to the lab KDC.
 *
 * <p>Safety rules kept here: a tree is never deleted while anything is mounted under it (a {@code
 * /dev} bound into a root would otherwise be emptied on the host), files are written into a root
 * without following links (an absolute link there points into the host), and processes are found
 * by their root directory ({@code /proc/PID/root}), never by name.
 */
final class Chroot {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern OCTAL = Pattern.compile("\\\\([0-7]{3})");

  private Chroot() {}

  /** The PATH inside the root. */
  static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

  /**
   * Runs {@code command} inside {@code root} ({@code chroot ROOT COMMAND...}) with only PATH, HOME
   * (/root), LANG (C.UTF-8) and {@code env} in its environment: nothing of the host's (no
   * KRB5CCNAME, no KRB5_CONFIG) leaks in. A secret goes in {@code env} or {@code stdin}, never in
   * {@code command}.
   */
  static ProcessResult run(Path root, List<String> command, Map<String, String> env, byte[] stdin,
      Duration timeout, String timeoutHint) {
    Map<String, String> environment = new java.util.LinkedHashMap<>();
    environment.put("PATH", PATH);
    environment.put("HOME", "/root");
    environment.put("LANG", "C.UTF-8");
    environment.putAll(env);
    List<String> chroot = new ArrayList<>(List.of("chroot", root.toString()));
    chroot.addAll(command);
    return ProcessRunner.run(chroot, true, environment, root, stdin, timeout, timeoutHint);
  }

  /** The mount points at or below {@code dir}, deepest first. */
  static List<Path> mountPointsUnder(Path dir) {
    Path base = canonical(dir);
    List<Path> found = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
        String[] f = line.split(" ");
        if (f.length > 4) {
          Path mountPoint = Path.of(unescape(f[4]));
          if (mountPoint.startsWith(base)) {
            found.add(mountPoint);
          }
        }
      }
    } catch (IOException e) {
      throw new LabException("Cannot read " + MOUNTINFO + " to check the mounts under " + base
          + ": " + e.getMessage(), e);
    }
    found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    return found;
  }

  /** The real path of {@code p} when it exists (mountinfo names real paths), else normalized. */
  static Path canonical(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  /** mountinfo writes space, tab, newline and backslash in paths as \\ooo. */
  private static String unescape(String s) {
    Matcher m = OCTAL.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(
          String.valueOf((char) Integer.parseInt(m.group(1), 8))));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** {@code mount -t proc} on ROOT/proc and {@code /dev} bound recursively (rslave) on ROOT/dev. */
  static void mountProcAndDev(Path root) {
    Path proc = root.resolve("proc");
    Path dev = root.resolve("dev");
    requireDirectory(proc);
    requireDirectory(dev);
    if (!isMountPoint(proc)) {
      mount("mount /proc into the root", "mount", "-t", "proc", "proc", proc.toString());
    }
    if (!isMountPoint(dev)) {
      mount("bind /dev into the root", "mount", "--rbind", "/dev", dev.toString());
      mount("make the root's /dev a slave mount", "mount", "--make-rslave", dev.toString());
    }
  }

  /** An overlay of {@code lower} (never written) with {@code upper} on {@code merged}. */
  static void mountOverlay(Path lower, Path upper, Path work, Path merged) {
    for (Path p : List.of(upper, work, merged)) {
      try {
        Files.createDirectories(p);
      } catch (IOException e) {
        throw new LabException("Cannot create " + p + ": " + e.getMessage(), e);
      }
    }
    String options = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
    for (Path p : List.of(lower, upper, work)) {
      if (p.toString().contains(",") || p.toString().contains(":")) {
        throw new LabException("The overlay folder " + p + " has a ',' or ':' in its path, which"
            + " mount's overlay options cannot hold: use another state folder.");
      }
    }
    ProcessResult r = run("mount", "-t", "overlay", "overlay", "-o", options, merged.toString());
    if (!r.succeeded()) {
      throw new LabException("Cannot mount the KDC's per-run overlay on " + merged + " (mount -t"
          + " overlay, lower " + lower + ", upper " + upper + "): "
          + ProcessRunner.tail(r.stderr(), 5) + ". The lab KDC needs overlayfs, and its state"
          + " folder must not itself be on an overlay (use a folder on a disk or a tmpfs).");
    }
  }

  /**
   * Unmounts everything at or below {@code dir} ({@code umount -R}; lazily as a last resort) and
   * returns what is still mounted there (empty on success).
   */
  static List<Path> unmountAll(Path dir) {
    for (boolean lazy : new boolean[] {false, true}) {
      List<Path> mounted = mountPointsUnder(dir);
      if (mounted.isEmpty()) {
        return List.of();
      }
      for (Path top : topMost(mounted)) {
        List<String> command = new ArrayList<>(List.of("umount", "-R"));
        if (lazy) {
          command.add("-l");
        }
        command.add(top.toString());
        run(command.toArray(new String[0])); // what stays mounted is read back below
      }
    }
    return mountPointsUnder(dir);
  }

  /** The mount points of {@code all} that are not below another one of them. */
  private static List<Path> topMost(List<Path> all) {
    List<Path> top = new ArrayList<>();
    for (Path p : all) {
      if (all.stream().noneMatch(o -> !o.equals(p) && p.startsWith(o))) {
        if (!top.contains(p)) {
          top.add(p);
        }
      }
    }
    return top;
  }

  static boolean isMountPoint(Path p) {
    Path abs = canonical(p);
    return mountPointsUnder(abs).contains(abs);
  }

  /**
   * Deletes {@code dir} with everything in it, after checking that nothing is mounted there.
   *
   * @throws LabException when something is still mounted under it (it is then left alone)
   */
  static void deleteTree(Path dir) {
    List<Path> mounted = mountPointsUnder(dir);
    if (!mounted.isEmpty()) {
      throw new LabException("Not deleting " + dir + ": " + mounted + " still mounted there."
          + " Unmount it first (umount -R " + mounted.get(mounted.size() - 1) + ").");
    }
    try {
      LabFiles.deleteTree(dir);
    } catch (IOException e) {
      throw new LabException("Cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The pids of the processes whose root directory is {@code root} (read from /proc). */
  static List<Long> processesRootedAt(Path root) {
    Path wanted = canonical(root);
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      entries.forEach(p -> {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          return;
        }
        try {
          if (Path.of(Files.readSymbolicLink(p.resolve("root")).toString()).equals(wanted)) {
            pids.add(Long.parseLong(name));
          }
        } catch (IOException | UnsupportedOperationException e) {
          // the process exited while we looked, or is not ours to read
        }
      });
    } catch (IOException e) {
      throw new LabException("Cannot list /proc: " + e.getMessage(), e);
    }
    return pids;
  }

  /** True when process {@code pid} runs and its root directory is {@code root}. */
  static boolean rootedAt(long pid, Path root) {
    try {
      return Path.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "root")).toString())
          .equals(canonical(root));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Writes {@code content} to {@code pathInRoot} (absolute, as seen inside the root) without
   * following a link: a link there (the file or a folder on the way) is refused, or for the file
   * itself replaced.
   *
   * @param mode e.g. {@code rw-r--r--}
   * @return the file's host path
   */
  static Path writeInRoot(Path root, String pathInRoot, String content, String mode) {
    return writeInRoot(root, pathInRoot, content.getBytes(StandardCharsets.UTF_8), mode);
  }

  static Path writeInRoot(Path root, String pathInRoot, byte[] content, String mode) {
    Path file = hostPath(root, pathInRoot);
    try {
      Path dir = root;
      for (Path part : root.relativize(file.getParent())) {
        dir = dir.resolve(part);
        if (Files.isSymbolicLink(dir)) {
          throw new LabException("Not writing " + pathInRoot + " in " + root + ": " + dir
              + " is a link.");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(dir);
        }
      }
      Files.deleteIfExists(file); // a link is removed, not followed
      Files.createFile(file, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString(mode)));
      Files.write(file, content);
      return file;
    } catch (IOException e) {
      throw new LabException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** ROOT + an absolute path inside it, refusing {@code ..}. */
  static Path hostPath(Path root, String pathInRoot) {
    Path inside = Path.of(pathInRoot);
    boolean up = false;
    for (Path part : inside) {
      up |= part.toString().equals("..");
    }
    if (!inside.isAbsolute() || up) {
      throw new IllegalArgumentException("not an absolute path inside the root: " + pathInRoot);
    }
    return root.resolve(pathInRoot.substring(1)).normalize();
  }

  /** The content of a file in the root, read without following a link; empty when missing. */
  static Optional<String> readInRoot(Path root, String pathInRoot) {
    Path file = hostPath(root, pathInRoot);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void requireDirectory(Path p) {
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new LabException(p + " is not a folder: the KDC root is incomplete. Delete its cache"
          + " folder to have it built again.");
    }
  }

  private static void mount(String what, String... command) {
    ProcessResult r = run(command);
    if (!r.succeeded()) {
      throw new LabException("Cannot " + what + " ('" + r.commandLine() + "', exit "
          + r.exitCode() + "): " + ProcessRunner.tail(r.stderr(), 5) + ". The lab KDC needs root.");
    }
  }

  private static ProcessResult run(String... command) {
    return ProcessRunner.run(List.of(command), Map.of(), Path.of("/"), new byte[0], MOUNT_TIMEOUT,
        "");
  }
}
