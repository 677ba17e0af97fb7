package dev.keytrust.agent.endpoint.ldap;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.internal.StrictUtf8;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;

/**
 * The simple-bind account read from the credentials file: a bind DN and a password. The password is
 * kept as UTF-8 bytes (what an LDAP simple bind sends), never as a {@link String}; {@link #wipe()}
 * overwrites it. {@link #toString()} shows the bind DN only.
 *
 * <p>File format (UTF-8; blank lines and lines starting with {@code #} are ignored):
 *
 * <pre>
 * bind-dn=CN=svc-keytrust,OU=Service Accounts,DC=example,DC=com
 * password=the password, taken verbatim up to the end of the line
 * </pre>
 *
 * The bind DN is trimmed; the password is the bytes after the first {@code =} up to the line end
 * (a trailing {@code \r} is dropped), sent as they are, so it may contain spaces, {@code =} and
 * {@code #}. Active
 * Directory also accepts {@code user@domain} as the bind name. On file systems with POSIX
 * permissions the file must not be readable or writable by other users ({@code chmod 600}).
 */
public final class BindCredentials {
  static final String BIND_DN = "bind-dn";
  static final String PASSWORD = "password";
  private static final int MAX_FILE_BYTES = 64 * 1024;
  private static final Set<PosixFilePermission> WORLD =
      Set.of(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

  private final String bindDn;
  private final byte[] password;

  private BindCredentials(String bindDn, byte[] password) {
    this.bindDn = bindDn;
    this.password = password;
  }

  /** The bind DN (or bind name). Not a secret. */
  public String bindDn() {
    return bindDn;
  }

  /** A copy of the password bytes: the caller wipes it after use. */
  public byte[] password() {
    return password.clone();
  }

  /** Overwrites the password. */
  public void wipe() {
    Arrays.fill(password, (byte) 0);
  }

  @Override
  public String toString() {
    return "BindCredentials[bindDn=" + bindDn + ", password=(hidden)]";
  }

  /**
   * Reads and checks the file.
   *
   * @throws AgentException LDAP_CREDENTIALS_FILE (bad input) when the file is missing, unreadable,
   *     readable or writable by other users, too large, not UTF-8, or lacks either line; the
   *     message never quotes the file's content
   */
  public static BindCredentials read(Path file) throws AgentException {
    if (!Files.isRegularFile(file)) {
      throw problem(file, "does not exist or is not a regular file", "Create it with the lines "
          + BIND_DN + "=<DN> and " + PASSWORD + "=<password>, then chmod 600 it.", null);
    }
    checkPermissions(file);
    byte[] content = null;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw problem(file, "is larger than " + MAX_FILE_BYTES + " bytes",
            "It should hold two short lines: " + BIND_DN + "=... and " + PASSWORD + "=...", null);
      }
      content = Files.readAllBytes(file);
      return parse(file, content);
    } catch (NoSuchFileException e) {
      throw problem(file, "disappeared while being read", "Check the path.", e);
    } catch (IOException e) {
      throw problem(file, "cannot be read (" + e.getClass().getSimpleName() + ")",
          "Check that the user running keytrust owns it or can read it.", e);
    } finally {
      if (content != null) {
        Arrays.fill(content, (byte) 0);
      }
    }
  }

  private static void checkPermissions(Path file) throws AgentException {
    PosixFileAttributeView view =
        Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return; // no POSIX permissions here (e.g. Windows): the ACL is the administrator's job
    }
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file); // follows a symlink to the real file
    } catch (IOException e) {
      throw problem(file, "has permissions that cannot be read (" + e.getClass().getSimpleName()
          + ")", "Check the path and its directories.", e);
    }
    if (perms.stream().anyMatch(WORLD::contains)) {
      throw problem(file, "is accessible to other users (mode " + PosixFilePermissions.toString(perms)
          + ") and holds a password",
          "Run: chmod 600 " + file + " (and change the password if others may have read it).", null);
    }
  }

  static BindCredentials parse(Path file, byte[] content) throws AgentException {
    String bindDn = null;
    byte[] password = null;
    try {
      int lineNo = 0;
      int start = startsWithBom(content) ? 3 : 0;
      while (start < content.length) {
        int end = indexOf(content, (byte) '\n', start, content.length);
        int stop = end > start && content[end - 1] == '\r' ? end - 1 : end;
        lineNo++;
        int first = firstNonSpace(content, start, stop);
        if (first == -1 || first == '#') {
          start = end + 1;
          continue;
        }
        int eq = indexOf(content, (byte) '=', start, stop);
        if (eq == stop) {
          throw problem(file, "has no '=' on line " + lineNo,
              "Each line is " + BIND_DN + "=<DN> or " + PASSWORD + "=<password>.", null);
        }
        String name = utf8(file, content, start, eq, lineNo).trim();
        if (name.equals(BIND_DN)) {
          if (bindDn != null) {
            throw problem(file, "has " + BIND_DN + " twice (line " + lineNo + ")", "Keep one.", null);
          }
          bindDn = utf8(file, content, eq + 1, stop, lineNo).trim();
        } else if (name.equals(PASSWORD)) {
          if (password != null) {
            throw problem(file, "has " + PASSWORD + " twice (line " + lineNo + ")", "Keep one.", null);
          }
          password = Arrays.copyOfRange(content, eq + 1, stop); // verbatim bytes, never a String
        } else {
          throw problem(file, "has an unknown name on line " + lineNo,
              "Only " + BIND_DN + "= and " + PASSWORD + "= lines are allowed.", null);
        }
        start = end + 1;
      }
      if (bindDn == null || bindDn.isEmpty()) {
        throw problem(file, "has no " + BIND_DN + "= line (or it is empty)",
            "Add " + BIND_DN + "=<DN of the account keytrust binds as>.", null);
      }
      if (password == null || password.length == 0) {
        throw problem(file, "has no " + PASSWORD + "= line (or it is empty)",
            "Add " + PASSWORD + "=<the account's password>: an empty password would be an"
                + " anonymous bind.", null);
      }
      BindCredentials result = new BindCredentials(bindDn, password);
      password = null;
      return result;
    } finally {
      if (password != null) {
        Arrays.fill(password, (byte) 0);
      }
    }
  }

  private static boolean startsWithBom(byte[] content) {
    return content.length >= 3
        && content[0] == (byte) 0xEF && content[1] == (byte) 0xBB && content[2] == (byte) 0xBF;
  }

  private static int indexOf(byte[] content, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (content[i] == b) {
        return i;
      }
    }
    return to;
  }

  private static int firstNonSpace(byte[] content, int from, int to) {
    for (int i = from; i < to; i++) {
      if (content[i] != ' ' && content[i] != '\t') {
        return content[i];
      }
    }
    return -1;
  }

  /** Decodes strict UTF-8; the content is never quoted in the error. */
  private static String utf8(Path file, byte[] content, int from, int to, int lineNo)
      throws AgentException {
    try {
      return StrictUtf8.decode(content, from, Math.max(0, to - from));
    } catch (CharacterCodingException e) {
      throw problem(file, "is not valid UTF-8 on line " + lineNo, "Save it as UTF-8.", null);
    }
  }

  private static AgentException problem(Path file, String what, String todo, Throwable cause) {
    return new AgentException(
        AgentErrorCode.LDAP_CREDENTIALS_FILE,
        "The LDAP credentials file " + file + " " + what + ". " + todo,
        cause);
  }
}
