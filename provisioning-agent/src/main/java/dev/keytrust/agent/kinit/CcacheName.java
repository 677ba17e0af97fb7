package dev.keytrust.agent.kinit;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the TGT goes: a FILE credential cache, named as MIT names it. {@code FILE:/path} or a plain
 * path; by default {@code $KRB5CCNAME} (when it is a FILE cache), else {@code /tmp/krb5cc_<uid>}.
 * Other cache types (DIR, KEYRING, KCM, MEMORY, API) are refused: keytrust writes files only.
 */
public final class CcacheName {
  private CcacheName() {}

  /**
   * The path of {@code name} ({@code FILE:PATH} or {@code PATH}).
   *
   * @throws AgentException KINIT_CCACHE_NAME for another type, or an empty or invalid path
   */
  public static Path parse(String name) throws AgentException {
    String s = name.strip();
    int colon = s.indexOf(':');
    if (colon > 0 && !s.substring(0, colon).contains("/")) {
      String type = s.substring(0, colon).toUpperCase(Locale.ROOT);
      if (!type.equals("FILE")) {
        throw new AgentException(AgentErrorCode.KINIT_CCACHE_NAME, "The credential cache '" + name
            + "' is of type " + type + ": keytrust writes FILE caches only (FILE:/path, or a path).");
      }
      s = s.substring(colon + 1);
    }
    if (s.isEmpty()) {
      throw new AgentException(AgentErrorCode.KINIT_CCACHE_NAME, "The credential cache '" + name
          + "' names no file: give FILE:/path or a path.");
    }
    try {
      return Path.of(s);
    } catch (InvalidPathException e) {
      throw new AgentException(AgentErrorCode.KINIT_CCACHE_NAME, "The credential cache '" + name
          + "' is not a valid path.");
    }
  }

  /**
   * The default: {@code krb5ccname} (the variable KRB5CCNAME) when set, else {@code
   * /tmp/krb5cc_<uid>}.
   */
  public static Path defaultPath(Optional<String> krb5ccname) throws AgentException {
    if (krb5ccname.isPresent() && !krb5ccname.get().isBlank()) {
      return parse(krb5ccname.get());
    }
    return Path.of("/tmp", "krb5cc_" + uid());
  }

  /**
   * Checks that the cache can be written where it is named, before a sign-in: its folder exists
   * and is writable.
   *
   * @throws AgentException KINIT_CCACHE_NAME otherwise
   */
  public static void requireWritable(Path cache) throws AgentException {
    Path dir = cache.toAbsolutePath().normalize().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new AgentException(AgentErrorCode.KINIT_CCACHE_NAME, "The credential cache " + cache
          + " cannot be written: its folder " + dir + " does not exist.");
    }
    if (!Files.isWritable(dir)) {
      throw new AgentException(AgentErrorCode.KINIT_CCACHE_NAME, "The credential cache " + cache
          + " cannot be written: its folder " + dir + " is not writable by this user.");
    }
    if (Files.isDirectory(cache)) {
      throw new AgentException(AgentErrorCode.KINIT_CCACHE_NAME, "The credential cache " + cache
          + " is a folder: name a file.");
    }
  }

  /** The process's user id, from /proc/self (Linux); 0 when it cannot be read. */
  static long uid() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return ((Number) uid).longValue();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      try {
        return new com.sun.security.auth.module.UnixSystem().getUid();
      } catch (LinkageError | RuntimeException notUnix) {
        return 0;
      }
    }
  }
}
