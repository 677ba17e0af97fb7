package dev.keytrust.agent.pam;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.kinit.CcacheName;
import dev.keytrust.agent.kinit.KdcAddress;
import dev.keytrust.agent.kinit.KinitAccount;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code keytrust pam-auth} does for one Linux user: the {@link PamConfig} settings of the
 * user with the placeholders filled in and every value checked.
 *
 * @param account the Linux account
 * @param kinit the Kerberos account: the UPN, asked for as an enterprise name in the realm
 * @param keyUser the user's name in the key store
 * @param store the key store's root
 * @param tpm the TPM (or the software provider)
 * @param kdc the KDC
 * @param kdcCa the PEM file of the CA that issues the KDC certificates
 * @param ccache the credential cache file to write
 * @param kdcTimeout the connect and the answer timeout at the KDC, each
 * @param stateDir the user's keytrust state folder, where the time the PIN was set is kept (the
 *     PIN history of {@code keytrust provision} and {@code pin change})
 * @param policyDir the PassportForWork policy folder, for the PIN expiry
 *     ({@code PINComplexity/Expiration})
 */
public record PamUserMapping(LinuxAccount account, KinitAccount kinit, String keyUser, Path store,
    TpmUri tpm, KdcAddress kdc, Path kdcCa, Path ccache, Duration kdcTimeout, Path stateDir,
    Path policyDir) {
  /** The default {@code tpm}. */
  public static final String DEFAULT_TPM = "device:/dev/tpmrm0";
  /** The default {@code store}. */
  public static final String DEFAULT_STORE = "%{home}/.keytrust/keys";
  /** The default {@code ccache}: MIT's default for a user. */
  public static final String DEFAULT_CCACHE = "/tmp/krb5cc_%{uid}";
  /** The default {@code kdc-timeout}. */
  public static final Duration DEFAULT_KDC_TIMEOUT = Duration.ofSeconds(10);
  /** The default {@code state-dir}: where {@code keytrust provision}, run as the user, keeps it. */
  public static final String DEFAULT_STATE_DIR = "%{home}/.keytrust/state";
  /** The default {@code policy-dir}: the one {@code provision} and {@code pin change} read. */
  public static final String DEFAULT_POLICY_DIR = "/etc/keytrust/policy";
  private static final Pattern DURATION = Pattern.compile("(\\d{1,4})(ms|s)?");

  public PamUserMapping {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(kinit, "kinit");
    Objects.requireNonNull(keyUser, "keyUser");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(tpm, "tpm");
    Objects.requireNonNull(kdc, "kdc");
    Objects.requireNonNull(kdcCa, "kdcCa");
    Objects.requireNonNull(ccache, "ccache");
    Objects.requireNonNull(kdcTimeout, "kdcTimeout");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(policyDir, "policyDir");
  }

  /**
   * The mapping of {@code account} from its settings ({@link PamConfig#settingsFor}).
   *
   * @throws AgentException PAM_CONFIG_INVALID naming the setting that is wrong
   */
  public static PamUserMapping resolve(Map<String, String> settings, LinuxAccount account,
      Path source) throws AgentException {
    String realm = fill(settings.get("realm"), account);
    String upn = settings.containsKey("upn") ? fill(settings.get("upn"), account)
        : realm == null ? null : account.name() + "@" + realm.toLowerCase(Locale.ROOT);
    if (upn == null) {
      throw invalid(source, account, "neither 'upn' nor 'realm' is set");
    }
    KinitAccount kinit;
    try {
      kinit = KinitAccount.of(upn, realm);
    } catch (KeytrustException e) {
      throw invalid(source, account, "'upn' / 'realm': " + e.getMessage());
    }
    String caText = fill(settings.get("kdc-ca"), account);
    if (caText == null) {
      throw invalid(source, account, "'kdc-ca' is not set (the PEM file of the CA that issues the"
          + " domain controllers' KDC certificates; keytrust trusts no KDC without it)");
    }
    Path kdcCa = absolute(caText, "kdc-ca", source, account);
    KdcAddress kdc;
    try {
      kdc = settings.containsKey("kdc") ? KdcAddress.parse(fill(settings.get("kdc"), account))
          : KdcAddress.forRealm(kinit.realm());
    } catch (KeytrustException e) {
      throw invalid(source, account, "'kdc': " + e.getMessage());
    }
    TpmUri tpm;
    try {
      tpm = TpmUri.parse(fill(settings.getOrDefault("tpm", DEFAULT_TPM), account));
    } catch (KeytrustException e) {
      throw invalid(source, account, "'tpm': " + e.getMessage());
    }
    Path store = absolute(fill(settings.getOrDefault("store", DEFAULT_STORE), account), "store",
        source, account);
    Path ccache;
    try {
      ccache = CcacheName.parse(fill(settings.getOrDefault("ccache", DEFAULT_CCACHE), account));
    } catch (KeytrustException e) {
      throw invalid(source, account, "'ccache': " + e.getMessage());
    }
    if (!ccache.isAbsolute()) {
      throw invalid(source, account, "'ccache' is not an absolute path");
    }
    String keyUser = settings.containsKey("key-user") ? fill(settings.get("key-user"), account) : upn;
    Duration timeout = DEFAULT_KDC_TIMEOUT;
    if (settings.containsKey("kdc-timeout")) {
      Matcher m = DURATION.matcher(settings.get("kdc-timeout"));
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw invalid(source, account, "'kdc-timeout' is '" + settings.get("kdc-timeout")
            + "': write seconds (10s) or milliseconds (1500ms), more than zero");
      }
      long n = Long.parseLong(m.group(1));
      timeout = "ms".equals(m.group(2)) ? Duration.ofMillis(n) : Duration.ofSeconds(n);
    }
    Path stateDir = absolute(fill(settings.getOrDefault("state-dir", DEFAULT_STATE_DIR), account),
        "state-dir", source, account);
    Path policyDir = absolute(fill(settings.getOrDefault("policy-dir", DEFAULT_POLICY_DIR), account),
        "policy-dir", source, account);
    return new PamUserMapping(account, kinit, keyUser, store, tpm, kdc, kdcCa, ccache, timeout,
        stateDir, policyDir);
  }

  private static Path absolute(String value, String key, Path source, LinuxAccount account)
      throws AgentException {
    Path p = Path.of(value);
    if (!p.isAbsolute()) {
      throw invalid(source, account, "'" + key + "' is not an absolute path: " + value);
    }
    return p.normalize();
  }

  /** {@code value} with %{user}, %{uid} and %{home} filled in; null stays null. */
  static String fill(String value, LinuxAccount account) {
    if (value == null) {
      return null;
    }
    return value.replace("%{user}", account.name()).replace("%{uid}", Integer.toString(account.uid()))
        .replace("%{home}", account.home().toString());
  }

  private static AgentException invalid(Path source, LinuxAccount account, String what) {
    return new AgentException(AgentErrorCode.PAM_CONFIG_INVALID, source + ", settings of "
        + account.name() + ": " + what + ".");
  }
}
