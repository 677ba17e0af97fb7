package dev.keytrust.agent.pam;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.kinit.CcacheName;
import dev.keytrust.agent.kinit.FileCredentialCache;
import dev.keytrust.agent.kinit.HelloKeySigner;
import dev.keytrust.agent.kinit.KdcTrust;
import dev.keytrust.agent.kinit.KerberosCredentials;
import dev.keytrust.agent.kinit.KeyTrustKinit;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.secret.Pin;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One Linux sign-in with the PIN, as {@code pam_exec.so expose_authtok} runs {@code keytrust
 * pam-auth} in the auth phase: from PAM_USER to a TGT in the user's credential cache.
 *
 * <ol>
 *   <li>It must run for PAM: PAM_USER and PAM_SERVICE set, PAM_TYPE (when set) {@code auth};
 *       without PAM_SERVICE only when the caller says it is a test ({@code withoutPam}).
 *   <li>The Linux account ({@code getent passwd}), the caller (a caller other than root may sign
 *       in only itself), the configuration ({@link PamConfigFile}: root's, no one else can write
 *       it), the user's settings ({@link PamUserMapping}; no section: unavailable), the key
 *       store (the user's or root's) and the user's key in it (none: unavailable), the KDC CA and
 *       the cache's folder are checked before the PIN is read.
 *   <li>A PIN the policy has expired ({@code PINComplexity/Expiration} in the {@code policy-dir},
 *       counted from the time the PIN was set, kept in the user's {@code state-dir}) is refused
 *       before the PIN is read, as {@code authenticate}, {@code kinit} and {@code key sign} refuse
 *       it: PIN_EXPIRED, {@link PamResult#AUTH_ERR}, no TPM try spent, nothing sent to the KDC.
 *   <li>The PIN is read once from standard input ({@link PamPinInput}) and destroyed at the end.
 *   <li>{@link KeyTrustKinit} signs in (the PIN unlocks the key; a wrong PIN or a locked key sends
 *       nothing to the KDC), and the TGT is written to the cache, owned by the user, mode 0600,
 *       atomically ({@link FileCredentialCache#write(Path, KerberosCredentials, int, int)}).
 * </ol>
 *
 * <p>Every way it ends is a {@link PamOutcome} (never an exception), see {@link PamResults}.
 * Nothing is logged here: the caller turns logging off.
 */
public final class PamAuthentication {
  /** The variables pam_exec sets. */
  public static final String PAM_USER = "PAM_USER";
  public static final String PAM_SERVICE = "PAM_SERVICE";
  public static final String PAM_TYPE = "PAM_TYPE";

  private final LinuxAccounts accounts;
  private final PamCaller caller;
  private final Clock clock;

  /**
   * @param accounts how Linux accounts are looked up ({@link LinuxAccounts#system()})
   * @param caller who runs this ({@link PamCaller#current()})
   * @param clock the clock of the sign-in
   */
  public PamAuthentication(LinuxAccounts accounts, PamCaller caller, Clock clock) {
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.caller = Objects.requireNonNull(caller, "caller");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Signs the PAM user in.
   *
   * @param configFile the configuration ({@link PamConfig#DEFAULT_FILE})
   * @param env the process environment (PAM_USER, PAM_SERVICE, PAM_TYPE)
   * @param withoutPam true to run without PAM_SERVICE: tests only
   * @param pinInput where the PIN comes from (pam_exec's pipe on standard input)
   */
  public PamOutcome authenticate(Path configFile, Map<String, String> env, boolean withoutPam,
      InputStream pinInput) {
    try {
      return run(configFile, env, withoutPam, pinInput);
    } catch (KeytrustException e) {
      return PamResults.of(e);
    } catch (RuntimeException e) {
      return PamOutcome.failure(PamResult.SYSTEM_ERR, "unexpected error "
          + e.getClass().getSimpleName() + " (a bug in keytrust)", CoreErrorCode.INTERNAL);
    }
  }

  private PamOutcome run(Path configFile, Map<String, String> env, boolean withoutPam,
      InputStream pinInput) throws KeytrustException {
    String user = requirePam(env, withoutPam);
    LinuxAccount account = accounts.find(user).orElseThrow(() -> new AgentException(
        AgentErrorCode.PAM_USER_UNKNOWN, "'" + user + "' is not a user on this machine (getent"
            + " passwd does not know it)."));
    caller.requireMaySignIn(account);
    PamConfig config = PamConfigFile.read(configFile, caller);
    Map<String, String> settings = config.settingsFor(user).orElseThrow(() -> new AgentException(
        AgentErrorCode.PAM_USER_NOT_MAPPED, user + " is not set up for keytrust sign-in (no"
            + " section of " + config.source() + " is for this user)."));
    PamUserMapping m = PamUserMapping.resolve(settings, account, config.source());
    KdcTrust trust = KdcTrust.fromFile(m.kdcCa());
    CcacheName.requireWritable(m.ccache());
    if (!Files.isDirectory(m.store(), LinkOption.NOFOLLOW_LINKS)) {
      throw noKey(m);
    }
    KeyStoreOwnership.requireSafe(m.store(), account);
    KeyContainerStore store = new KeyContainerStore(m.store());
    if (store.find(m.keyUser()).isEmpty()) {
      throw noKey(m);
    }
    requireNotExpired(m); // an expired PIN is not read
    try (Pin pin = PamPinInput.read(pinInput)) {
      try (HelloKeys keys = HelloKeys.open(m.tpm(), m.store())) {
        KeyTrustKinit kinit = KeyTrustKinit.builder()
            .signer(HelloKeySigner.of(keys, m.keyUser(), pin))
            .account(m.kinit())
            .kdc(m.kdc())
            .trust(trust)
            .clock(clock)
            .timeouts(m.kdcTimeout(), m.kdcTimeout())
            .build();
        try (KerberosCredentials tgt = kinit.signIn()) {
          writeCache(m, tgt);
          return PamOutcome.success("Kerberos ticket for " + tgt.client() + " in FILE:"
              + m.ccache() + " (valid until " + tgt.times().endTime() + ")");
        }
      } finally {
        if (caller.isRoot()) {
          KeyStoreOwnership.giveBack(m.store(), store.userDirectory(m.keyUser()));
        }
      }
    }
  }

  /**
   * Refuses an expired PIN of the mapped key user, as {@code PinExpiryOptions} does for the CLI's
   * sign-in commands: reads the user's effective policy and the PIN's set time, never the PIN.
   *
   * @throws KeytrustException PIN_EXPIRED (AUTH_ERR); a malformed policy or PIN history
   */
  private void requireNotExpired(PamUserMapping m) throws KeytrustException {
    PolicyResolver policies = new PolicyResolver(m.policyDir());
    PinHistory.forUser(m.stateDir(), m.keyUser())
        .requireNotExpired(policies.resolve(m.keyUser()).pinPolicy(), clock.instant());
  }

  private void writeCache(PamUserMapping m, KerberosCredentials tgt) throws AgentException {
    if (caller.isRoot()) {
      FileCredentialCache.write(m.ccache(), tgt, m.account().uid(), m.account().gid());
    } else {
      FileCredentialCache.write(m.ccache(), tgt); // the caller is the user
    }
  }

  private static String requirePam(Map<String, String> env, boolean withoutPam)
      throws AgentException {
    Optional<String> type = Optional.ofNullable(env.get(PAM_TYPE));
    if (type.isPresent() && !type.get().equals("auth")) {
      throw new AgentException(AgentErrorCode.PAM_NOT_FROM_PAM, "keytrust pam-auth runs in the"
          + " auth phase only, not '" + type.get() + "': put it on an 'auth' line.");
    }
    String service = env.get(PAM_SERVICE);
    if ((service == null || service.isBlank()) && !withoutPam) {
      throw new AgentException(AgentErrorCode.PAM_NOT_FROM_PAM, "keytrust pam-auth runs only for a"
          + " PAM service (pam_exec sets PAM_SERVICE and PAM_USER); this process has no"
          + " PAM_SERVICE.");
    }
    String user = env.get(PAM_USER);
    if (user == null || user.isBlank()) {
      throw new AgentException(AgentErrorCode.PAM_NOT_FROM_PAM, "PAM_USER is not set: pam_exec sets"
          + " it to the user who signs in.");
    }
    if (!LinuxAccounts.NAME.matcher(user).matches()) {
      throw new AgentException(AgentErrorCode.PAM_USER_UNKNOWN, "PAM_USER is not a Linux user name.");
    }
    return user;
  }

  private static AgentException noKey(PamUserMapping m) {
    return new AgentException(AgentErrorCode.PAM_NO_KEY, m.account().name()
        + " has no keytrust key on this machine (no key of " + m.keyUser() + " in "
        + m.store() + "): keytrust cannot decide, the next sign-in method does.");
  }
}
