package dev.keytrust.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which process listens on a 127.0.0.1 TCP port, read from Linux {@code /proc}. A successful
 * connect alone does not prove that our swtpm is ready: when swtpm loses a port race it exits, but
 * the connect may land on the other process that holds the port.
 */
final class ListeningSockets {
  private static final Path PROC_NET_TCP = Path.of("/proc/net/tcp");
  private static final String LISTEN = "0A";
  private static final String LOOPBACK_HEX = "0100007F"; // 127.0.0.1 as /proc prints it

  private ListeningSockets() {}

  /**
   * True when process {@code pid} holds a socket listening on 127.0.0.1 on every one of {@code
   * ports}; empty when {@code /proc} cannot tell (then fall back to a connect probe).
   */
  static Optional<Boolean> allOwnedBy(long pid, int... ports) {
    if (!Files.isReadable(PROC_NET_TCP)) {
      return Optional.empty();
    }
    try {
      Set<String> owned = socketInodes(pid);
      List<String> table = Files.readAllLines(PROC_NET_TCP);
      for (int port : ports) {
        String local = LOOPBACK_HEX + ":" + String.format(Locale.ROOT, "%04X", port);
        boolean found = false;
        for (String line : table.subList(1, table.size())) {
          String[] f = line.trim().split("\\s+");
          if (f.length > 9 && f[1].equals(local) && f[3].equals(LISTEN) && owned.contains(f[9])) {
            found = true;
            break;
          }
        }
        if (!found) {
          return Optional.of(false);
        }
      }
      return Optional.of(true);
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  /** The inode numbers of the sockets among the open files of {@code pid}. */
  private static Set<String> socketInodes(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    Path fdDir = Path.of("/proc", Long.toString(pid), "fd");
    if (!Files.isDirectory(fdDir)) {
      return inodes; // the process has exited
    }
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
      for (Path fd : fds) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
          continue; // closed while we looked
        }
        if (target.startsWith("socket:[") && target.endsWith("]")) {
          inodes.add(target.substring("socket:[".length(), target.length() - 1));
        }
      }
    }
    return inodes;
  }
}
