package dev.keytrust.agent.pam;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Looks Linux accounts up by name. {@link #system()} asks {@code getent passwd}, so users from
 * NSS sources (SSSD, LDAP, winbind) are found as well as those in {@code /etc/passwd}.
 */
@FunctionalInterface
public interface LinuxAccounts {
  /** Names getent and useradd accept: no colon, slash, whitespace or control character. */
  Pattern NAME = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._@-]{0,255}\\$?");

  /**
   * The account called {@code name}, or empty when there is none.
   *
   * @throws AgentException PAM_USER_UNKNOWN when the lookup itself fails
   */
  Optional<LinuxAccount> find(String name) throws AgentException;

  /** {@code getent passwd NAME} ({@code /usr/bin/getent}, or {@code /bin/getent}). */
  static LinuxAccounts system() {
    return name -> {
      if (!NAME.matcher(name).matches()) {
        return Optional.empty();
      }
      Path getent = Files.isExecutable(Path.of("/usr/bin/getent")) ? Path.of("/usr/bin/getent")
          : Path.of("/bin/getent");
      try {
        Process p = new ProcessBuilder(List.of(getent.toString(), "passwd", name))
            .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        String out;
        try (InputStream in = p.getInputStream()) {
          out = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new AgentException(AgentErrorCode.PAM_USER_UNKNOWN,
              "getent passwd " + name + " did not answer within 10 s: the user cannot be looked up.");
        }
        if (p.exitValue() == 2) {
          return Optional.empty(); // getent: key not found
        }
        if (p.exitValue() != 0) {
          throw new AgentException(AgentErrorCode.PAM_USER_UNKNOWN, "getent passwd " + name
              + " failed (exit " + p.exitValue() + "): the user cannot be looked up.");
        }
        return parse(out.strip(), name);
      } catch (IOException e) {
        throw new AgentException(AgentErrorCode.PAM_USER_UNKNOWN, "Cannot run " + getent
            + " to look the user up: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AgentException(AgentErrorCode.PAM_USER_UNKNOWN, "Interrupted while looking "
            + name + " up.", e);
      }
    };
  }

  /** One passwd line ({@code name:x:uid:gid:gecos:home:shell}) of {@code name}, or empty. */
  static Optional<LinuxAccount> parse(String line, String name) {
    String[] f = line.split(":", -1);
    if (f.length < 7 || !f[0].equals(name)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new LinuxAccount(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
          Path.of(f[5])));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
