package dev.keytrust.agent.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.keytrust.agent.pam.LinuxAccounts;
import dev.keytrust.agent.pam.PamAuthentication;
import dev.keytrust.agent.pam.PamCaller;
import dev.keytrust.agent.pam.PamConfig;
import dev.keytrust.agent.pam.PamOutcome;
import dev.keytrust.agent.pam.PamResult;
import dev.keytrust.error.KeytrustException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keytrust pam-auth}: the Linux sign-in step for {@code pam_exec.so expose_authtok} (see
 * {@link PamAuthentication}). One line on stdout ({@code keytrust: <result>: <reason> [<code>]},
 * never the PIN), nothing logged, and the exit code is the PAM result's number ({@link PamResult}).
 */
@Command(
    name = "pam-auth",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Sign a Linux user in with the Windows Hello PIN, for pam_exec.so expose_authtok (auth phase):",
      "the PIN (standard input) unlocks the user's key, the key signs in to Active Directory by",
      "Kerberos PKINIT (key trust), and the TGT goes to the user's credential cache (owned by the",
      "user, 0600; default /tmp/krb5cc_<uid>). The user comes from PAM_USER; which UPN, key store,",
      "TPM, realm, KDC and KDC CA go with a Linux user comes from the configuration file. Prints one",
      "line of reason, logs nothing. Refuses to run without PAM_SERVICE (not started by PAM), and a",
      "caller other than root cannot sign in another user."
    },
    exitCodeListHeading = "%nExit codes (Linux-PAM's numbers; pam_exec reports every non-zero one to the stack as PAM_SYSTEM_ERR):%n",
    exitCodeList = {
      " 0:PAM_SUCCESS: the TGT is in the user's credential cache.",
      " 3:PAM_SERVICE_ERR: not started by PAM, bad options, the configuration malformed or unsafe.",
      " 4:PAM_SYSTEM_ERR: the cache could not be written, or a bug.",
      " 6:PAM_PERM_DENIED: a caller other than root asked for another user's ticket.",
      " 7:PAM_AUTH_ERR: wrong PIN, the PIN has expired (policy-dir, state-dir; not read), or the KDC refused the key or the account.",
      " 9:PAM_AUTHINFO_UNAVAIL: keytrust cannot decide (no mapping or key for the user, the KDC or the TPM unreachable, the KDC untrusted): the next module decides.",
      "10:PAM_USER_UNKNOWN: PAM_USER is not a Linux user.",
      "11:PAM_MAXTRIES: the key is locked after wrong PINs; the line says when to retry."
    },
    footerHeading = "%nExample PAM service file (docs/pam.md):%n",
    footer = {
      "  auth  sufficient  pam_exec.so expose_authtok quiet stdout /usr/local/sbin/keytrust-pam-auth",
      "  auth  required    pam_unix.so try_first_pass"
    })
final class PamAuthCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE",
      description = "The configuration file (root's; see docs/pam.md). Default: /etc/keytrust/pam.conf.")
  Path config = PamConfig.DEFAULT_FILE;

  @Option(names = "--test-without-pam",
      description = "Run without PAM_SERVICE (tests only; PAM_USER is still required).")
  boolean withoutPam;

  @Override
  public Integer call() {
    silenceLogging();
    CliEnvironment env = KeytrustCli.environment(spec);
    PamOutcome outcome;
    try {
      outcome = new PamAuthentication(LinuxAccounts.system(), PamCaller.current(), Clock.systemUTC())
          .authenticate(config, env.env(), withoutPam, env.stdin());
    } catch (KeytrustException e) {
      outcome = new PamOutcome(PamResult.SYSTEM_ERR, e.getMessage(), java.util.Optional.of(e.code()));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(outcome.line());
    out.flush();
    return outcome.result().exitCode();
  }

  /** Nothing is logged by pam-auth: not to stderr, not at -v. */
  static void silenceLogging() {
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
      root.setLevel(Level.OFF);
    }
    if (LoggerFactory.getLogger(Logging.KEYTRUST) instanceof Logger keytrust) {
      keytrust.setLevel(Level.OFF);
    }
  }
}
