package dev.keytrust.key;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by {@link KeyContainerStoreTest}: takes the store lock of the store at
 * {@code args[0]} and holds it until a line arrives on stdin. Talks over stdout, one line each:
 * {@code holder: locked} once the lock is held; then, on the line from stdin and still holding the
 * lock, {@code holder: while locked: FILE exists|absent} for every further argument (a file of the
 * store); {@code holder: released} after the lock is released.
 */
final class StoreLockHolder {
  static final String PREFIX = "holder: ";

  private StoreLockHolder() {}

  public static void main(String[] args) throws Exception {
    KeyContainerStore store = new KeyContainerStore(Path.of(args[0]));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    store.locked(() -> {
      say("locked");
      try {
        in.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (int i = 1; i < args.length; i++) {
        Path file = Path.of(args[i]);
        say("while locked: " + file + (Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? " exists" : " absent"));
      }
      return null;
    });
    say("released");
  }

  private static void say(String line) {
    System.out.println(PREFIX + line);
    System.out.flush();
  }
}
