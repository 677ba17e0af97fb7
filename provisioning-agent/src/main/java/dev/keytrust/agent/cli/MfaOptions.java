package dev.keytrust.agent.cli;

import dev.keytrust.agent.mfa.MfaAttempt;
import dev.keytrust.agent.mfa.MfaCodePrompt;
import dev.keytrust.agent.mfa.MfaContext;
import dev.keytrust.agent.mfa.MfaFreshness;
import dev.keytrust.agent.mfa.MfaListener;
import dev.keytrust.agent.mfa.MfaOutcome;
import dev.keytrust.agent.mfa.MfaProvider;
import dev.keytrust.agent.mfa.MfaProviders;
import dev.keytrust.agent.mfa.MfaRetryPrompt;
import dev.keytrust.agent.mfa.MfaRunner;
import dev.keytrust.agent.mfa.MfaSettings;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --mfa NAME[:SETTING=VALUE[,SETTING=VALUE]...]}, {@code --mfa-setting SETTING=VALUE} and
 * {@code --mfa-code-stdin}: the MFA method ({@link MfaProviders}: {@code totp}, {@code push}) with
 * its settings, which name files and URLs and never hold secrets. A one-time code is asked on the
 * terminal (masked) or, with {@code --mfa-code-stdin}, read as the first line of standard input
 * ({@link StdinLines}).
 */
final class MfaOptions {

  /** Longest code line read from stdin. */
  static final int MAX_CODE_LENGTH = 64;

  @Option(
      names = "--mfa",
      paramLabel = "SPEC",
      description = {
        "The MFA method: NAME[:SETTING=VALUE[,SETTING=VALUE]...], e.g. totp:secret-file=/etc/keytrust/alice.totp"
            + " or push:url=https://mfa.example.com,token-file=PATH. An MFA within the last 10 minutes is"
            + " reused without asking."
      })
  String spec;

  @Option(
      names = "--mfa-setting",
      paramLabel = "SETTING=VALUE",
      description = "A further setting of the MFA method (for values with commas); repeatable.")
  Map<String, String> extraSettings = new LinkedHashMap<>();

  @Option(
      names = "--mfa-code-stdin",
      description = "Read the one-time MFA code from standard input instead of asking on the terminal: the first"
          + " line is the code (dropped when no MFA is needed), the PIN lines of --pin-stdin follow.")
  boolean codeStdin;

  boolean given() {
    return spec != null;
  }

  /** The method's name, lower-case. */
  String method() {
    int colon = spec.indexOf(':');
    return (colon < 0 ? spec : spec.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
  }

  /** The settings of the spec plus {@code --mfa-setting}. */
  MfaSettings settings() throws KeytrustException {
    Map<String, String> all = new LinkedHashMap<>();
    int colon = spec.indexOf(':');
    if (colon >= 0) {
      for (String part : spec.substring(colon + 1).split(",")) {
        if (part.isBlank()) {
          continue;
        }
        int eq = part.indexOf('=');
        if (eq <= 0) {
          throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "--mfa '" + spec + "': the setting '" + part.strip()
              + "' is not SETTING=VALUE (e.g. totp:secret-file=PATH).");
        }
        put(all, part.substring(0, eq).strip(), part.substring(eq + 1).strip());
      }
    }
    for (Map.Entry<String, String> e : extraSettings.entrySet()) {
      put(all, e.getKey().strip(), e.getValue().strip());
    }
    return new MfaSettings(all);
  }

  private void put(Map<String, String> all, String name, String value) throws KeytrustException {
    if (all.putIfAbsent(name, value) != null) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "The MFA setting " + name + " is given twice ("
          + "--mfa '" + spec + "' and --mfa-setting): give it once.");
    }
  }

  /**
   * The runner: the method made from its settings now (so a bad setting fails before anything
   * else), freshness and TOTP replay state in {@code stateDir}.
   *
   * @param stdin the one reader of standard input, shared with the PIN lines
   * @param err where MFA progress goes
   */
  MfaRunner runner(CliEnvironment env, StdinLines stdin, Path stateDir, PrintWriter err) throws KeytrustException {
    if (method().equals("none")) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, "--mfa none: Windows Hello provisioning does not"
          + " proceed without MFA (an MFA within the last 10 minutes is reused without asking); give an MFA"
          + " method, e.g. --mfa totp:secret-file=PATH.");
    }
    MfaCodePrompt prompt = codePrompt(env, stdin, err);
    MfaContext context = new MfaContext(Clock.systemUTC(), Optional.of(stateDir), Optional.ofNullable(prompt));
    MfaProvider provider = MfaProviders.fromClassPath().create(method(), settings(), context);
    boolean oneShot = codeStdin || env.console() == null;
    return MfaRunner.builder(provider)
        .maxAttempts(oneShot ? 1 : MfaRunner.DEFAULT_MAX_ATTEMPTS)
        .retryPrompt(MfaRetryPrompt.ALWAYS)
        .freshness(MfaFreshness.inDirectory(stateDir))
        .listener(listener(err))
        .build();
  }

  private MfaCodePrompt codePrompt(CliEnvironment env, StdinLines stdin, PrintWriter err) {
    if (codeStdin) {
      return (user, instructions) -> stdin.code();
    }
    PinConsole console = env.console();
    if (console == null) {
      return null;
    }
    return (user, instructions) -> console.readPassword("Code: ");
  }

  private static MfaListener listener(PrintWriter err) {
    return new MfaListener() {
      @Override
      public void attemptStarted(MfaAttempt attempt, String instructions) {
        err.println("keytrust: MFA (" + attempt.method() + ")" + (attempt.maxAttempts() > 1
            ? ", attempt " + attempt.number() + " of " + attempt.maxAttempts() : "") + ": " + instructions);
        err.flush();
      }

      @Override
      public void attemptEnded(MfaAttempt attempt, MfaOutcome outcome) {
        if (!outcome.isSuccess()) {
          err.println("keytrust: MFA (" + attempt.method() + ") " + outcome.status().name().toLowerCase(Locale.ROOT)
              .replace('_', ' ') + (outcome.reason().isEmpty() ? "" : ": " + outcome.reason()));
          err.flush();
        }
      }
    };
  }

  /** One line of {@code reader} as a {@code char[]}, never a String; null at the end of input. */
  static char[] readCode(Reader reader) throws dev.keytrust.agent.AgentException {
    char[] buf = new char[MAX_CODE_LENGTH];
    int len = 0;
    try {
      int c;
      boolean any = false;
      while ((c = reader.read()) != -1) {
        any = true;
        if (c == '\n') {
          break;
        }
        if (len == MAX_CODE_LENGTH) {
          throw new dev.keytrust.agent.AgentException(CoreErrorCode.INVALID_ARGUMENT, "The MFA code line on standard"
              + " input is longer than " + MAX_CODE_LENGTH + " characters: write only the code and a newline.");
        }
        buf[len++] = (char) c;
      }
      if (!any) {
        return null;
      }
      if (len > 0 && buf[len - 1] == '\r') {
        len--;
      }
      return Arrays.copyOf(buf, len);
    } catch (IOException e) {
      throw new dev.keytrust.agent.AgentException(CoreErrorCode.INVALID_ARGUMENT,
          "Cannot read the MFA code from standard input: " + e.getMessage(), e);
    } finally {
      Arrays.fill(buf, '\0');
    }
  }
}
