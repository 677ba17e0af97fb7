package dev.keytrust.agent.status;

import dev.keytrust.agent.flow.FlowStatus;
import dev.keytrust.agent.flow.LostKey;
import dev.keytrust.agent.pin.PinExpiry;
import dev.keytrust.agent.pin.PinHistory;
import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.policy.EffectiveValue;
import dev.keytrust.agent.policy.PolicyResolver;
import dev.keytrust.agent.policy.Setting;
import dev.keytrust.agent.prereq.Answer;
import dev.keytrust.agent.prereq.CheckResult;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.DeviceContextFile;
import dev.keytrust.agent.prereq.JoinState;
import dev.keytrust.agent.prereq.PrerequisiteChecker;
import dev.keytrust.agent.prereq.PrerequisiteId;
import dev.keytrust.agent.prereq.PrerequisiteReport;
import dev.keytrust.agent.prereq.ProvisioningTrigger;
import dev.keytrust.agent.prereq.RemoteSessionDetector;
import dev.keytrust.agent.prereq.SessionInfo;
import dev.keytrust.agent.prereq.TpmState;
import dev.keytrust.agent.prereq.UserIdentity;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.tpm.DiscoveredTpm;
import dev.keytrust.tpm.TpmDiscovery;
import dev.keytrust.tpm.TpmInfo;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import dev.keytrust.tpm.TpmVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out what provisioning would find on this machine: the device context, the TPM and the key
 * provider provisioning would use, the user's key and flow records, the prerequisite check and the
 * effective policy. What {@code keytrust status} shows, as an API.
 *
 * <pre>{@code
 * StatusProbe probe = StatusProbe.builder().build(); // this machine: os.name, sysfs, loginctl
 * StatusReport report = probe.probe(StatusRequest.builder()
 *     .user("alice@contoso.com")
 *     .tpm(TpmUri.parse("auto"))
 *     .policyDir(Path.of("/etc/keytrust/policy"))
 *     .deviceFile(Path.of("/etc/keytrust/device.conf"))
 *     .build());
 * if (report.tpm().provider() == null) {
 *   // provisioning would stop: report.tpm().providerReason() says why
 * }
 * boolean willProvision = report.prerequisites().willProvision(); // PreReqResult, event 358/360
 * }</pre>
 *
 * <p>It only reads: it opens the TPM for its facts and to check that the TPM still loads the user's
 * key (TPM2_Load without the PIN, flushed again), but creates nothing, and it never writes to the
 * key store. Missing inputs become "unknown" in the report; a TPM that cannot be reached is part
 * of the report, not an error. It does not render anything: the CLI's {@code status} command lays
 * the report out as text or JSON.
 */
public final class StatusProbe {

  private static final Logger log = LoggerFactory.getLogger(StatusProbe.class);

  /** How long one TPM command may take while status reads the TPM's facts. */
  public static final Duration TPM_TIMEOUT = Duration.ofSeconds(20);

  /** Lines that need the device context; without one they are Not Tested. */
  private static final List<PrerequisiteId> NEED_CONTEXT = List.of(PrerequisiteId.DEVICE_JOINED,
      PrerequisiteId.CLOUD_CREDENTIALS, PrerequisiteId.GROUP_TARGETING, PrerequisiteId.UPN);

  private final String osName;
  private final TpmDiscovery discovery;
  private final RemoteSessionDetector detector;
  private final Clock clock;

  private StatusProbe(Builder b) {
    this.osName = b.osName;
    this.discovery = b.discovery;
    this.detector = b.detector;
    this.clock = b.clock;
  }

  /** A probe of this machine unless told otherwise. */
  public static Builder builder() {
    return new Builder();
  }

  /** What the probe looks at; every part defaults to this machine's. */
  public static final class Builder {
    private String osName = System.getProperty("os.name", "");
    private TpmDiscovery discovery;
    private RemoteSessionDetector detector;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The time the PIN expiry is judged at (default: the system clock). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The OS, as {@code os.name} says it (default: this JVM's): where {@code auto} looks for TPMs. */
    public Builder osName(String osName) {
      this.osName = Objects.requireNonNull(osName, "osName");
      return this;
    }

    /** Where TPMs are listed (default: {@link TpmDiscovery#system()}). */
    public Builder tpmDiscovery(TpmDiscovery discovery) {
      this.discovery = Objects.requireNonNull(discovery, "discovery");
      return this;
    }

    /**
     * How a remote session is detected when no device context file says (default: {@link
     * RemoteSessionDetector#forEnvironment} of this process's environment).
     */
    public Builder sessionDetector(RemoteSessionDetector detector) {
      this.detector = Objects.requireNonNull(detector, "detector");
      return this;
    }

    public StatusProbe build() {
      if (discovery == null) {
        discovery = TpmDiscovery.system();
      }
      if (detector == null) {
        detector = RemoteSessionDetector.forEnvironment(System.getenv());
      }
      return new StatusProbe(this);
    }
  }

  /**
   * Gathers the report.
   *
   * @throws KeytrustException for bad input (an unknown TPM URI, a user name that cannot name a
   *     folder), a malformed device context or policy file (naming it), a damaged key or record
   */
  public StatusReport probe(StatusRequest r) throws KeytrustException {
    EffectivePolicy policy;
    String policyNote;
    if (r.policyDir() == null) {
      policy = EffectivePolicy.defaults();
      policyNote = "no --policy-dir given: every setting is at its default";
    } else {
      PolicyResolver resolver = new PolicyResolver(r.policyDir());
      policy = r.user() == null ? resolver.resolveComputer() : resolver.resolve(r.user());
      policyNote = !Files.exists(r.policyDir())
          ? "the policy directory " + r.policyDir() + " does not exist: every setting is at its default"
          : policy.files().isEmpty() ? "no policy file in " + r.policyDir() + ": every setting is at its default"
          : r.user() == null ? "computer policy only (no --user)" : "computer and user policy of " + r.user();
    }
    DeviceStatus device = device(r.deviceFile());
    TpmStatus tpm = tpm(r.tpm(), policy);
    UserStatus user = user(r.user(), r.storeRoot() != null ? r.storeRoot() : KeyContainerStore.defaultRoot(), tpm,
        r.stateDir(), policy);
    PrerequisiteReport prereq = prerequisites(device, tpm, policy);
    return new StatusReport(device, tpm, user, prereq, policy, policyNote);
  }

  private DeviceStatus device(Path file) throws KeytrustException {
    if (file == null || !Files.exists(file)) {
      SessionInfo session = detector.detect();
      List<String> unknown = List.of("join state", "device id", "tenant", "verified domains",
          "the user's identity (UPNs, groups, cloud token)");
      return new DeviceStatus(file, file == null ? DeviceStatus.FileState.NOT_GIVEN
          : DeviceStatus.FileState.NOT_FOUND, null, session, unknown);
    }
    DeviceContext c = DeviceContextFile.read(file, detector);
    List<String> unknown = new ArrayList<>();
    if (c.deviceId().isEmpty()) {
      unknown.add("device id");
    }
    if (c.tenantId().isEmpty()) {
      unknown.add("tenant");
    }
    if (c.verifiedDomains().isEmpty()) {
      unknown.add("verified domains");
    }
    UserIdentity u = c.user();
    if (u.cloudUpn().isEmpty()) {
      unknown.add("cloud UPN");
    }
    if (u.onPremUpn().isEmpty()) {
      unknown.add("on-premises UPN");
    }
    if (u.claims().isEmpty()) {
      unknown.add("cloud token");
    }
    return new DeviceStatus(file, DeviceStatus.FileState.READ, c, c.session(), unknown);
  }

  private TpmStatus tpm(TpmChoice.Chooser chooser, EffectivePolicy policy) throws KeytrustException {
    EffectiveValue<Boolean> require = policy.effective(Setting.REQUIRE_SECURITY_DEVICE);
    TpmChoice choice = chooser.choose();
    TpmSource source = choice.source();
    TpmUri uri = choice.uri();
    if (uri == null) {
      return new TpmStatus(null, source, null, null, null, choice.unavailable(), null,
          "no TPM is named and this platform has no default one: provisioning would stop", require);
    }
    if (uri.isSoftware()) {
      return require.value()
          ? new TpmStatus(uri, source, null, null, null, null, null, "none: " + require.describe()
              + " requires a TPM but the software provider is selected; name a TPM instead", require)
          : new TpmStatus(uri, source, null, null, null, null, ProviderKind.SOFTWARE,
              "software key, as selected; allowed by policy (" + require.describe() + ")", require);
    }
    boolean linux = osName.toLowerCase(Locale.ROOT).startsWith("linux");
    List<DiscoveredTpm> discovered = linux && (uri.isAuto() || uri.scheme().equals(TpmUri.DEVICE))
        ? discovery.list() : null;
    TpmUri target = null;
    TpmInfo info = null;
    KeytrustException error = null;
    try {
      target = resolveAuto(uri, linux);
      log.debug("status: reading the facts of {}", target);
      try (TpmSession session = TpmSession.open(target, TPM_TIMEOUT)) {
        info = session.info();
      }
    } catch (KeytrustException e) {
      log.debug("status: no TPM facts from {}", target != null ? target : uri, e);
      error = e;
    } catch (RuntimeException e) {
      log.debug("status: the TPM at {} failed", target != null ? target : uri, e);
      error = new KeytrustException(CoreErrorCode.TPM_TRANSPORT, "The TPM at " + (target != null ? target : uri)
          + " failed while keytrust read its facts: " + e);
    }
    ProviderKind provider;
    String reason;
    if (info != null) {
      provider = ProviderKind.TPM;
      reason = "TPM at " + info.tpm() + (info.dictionaryAttack().inLockout()
          ? "; it is in dictionary-attack lockout now, so the key cannot be used until the lockout ends" : "");
    } else if (FlowStatus.meansNoTpm(error.code())) {
      String noTpm = "no usable TPM at " + (target != null ? target : uri) + " (" + error.code().id() + ")";
      if (require.value()) {
        provider = null;
        reason = "none: " + noTpm + ", and " + require.describe() + " requires one: provisioning would stop";
      } else {
        provider = ProviderKind.SOFTWARE;
        reason = noTpm + ": software key, allowed by policy (" + require.describe() + ")";
      }
    } else {
      provider = null;
      reason = "none: the TPM at " + (target != null ? target : uri) + " fails (" + error.code().id()
          + "): provisioning would stop there";
    }
    return new TpmStatus(uri, source, discovered, target, info, error, provider, reason, require);
  }

  private TpmUri resolveAuto(TpmUri uri, boolean linux) throws KeytrustException {
    if (!uri.isAuto()) {
      return uri;
    }
    if (linux) {
      return discovery.chooseAuto();
    }
    if (osName.toLowerCase(Locale.ROOT).startsWith("windows")) {
      return TpmUri.parse(TpmUri.TBS);
    }
    throw new KeytrustException(CoreErrorCode.TPM_PLATFORM_UNSUPPORTED, "--tpm auto finds TPMs on Linux and"
        + " Windows only, and this OS is " + osName + ": name the TPM with --tpm.");
  }

  private UserStatus user(String user, Path storeRoot, TpmStatus tpm, Path stateDir, EffectivePolicy policy)
      throws KeytrustException {
    if (user == null) {
      return new UserStatus(null, storeRoot, Optional.empty(), null, "unknown: no --user given", null, null);
    }
    KeyContainerStore store = new KeyContainerStore(storeRoot);
    Optional<KeyContainer> key = store.find(user);
    FlowStatus flow = FlowStatus.read(store, user);
    LostKey.Check check = key.isEmpty() ? null : keyCheck(key.get(), tpm, storeRoot);
    PinStatus pin = null;
    if (stateDir != null && key.isPresent()) {
      PinExpiry expiry = PinHistory.forUser(stateDir, user).expiry(policy.pinPolicy());
      Instant now = clock.instant();
      pin = new PinStatus(expiry.setAt(), expiry.expiresAt(), expiry.expiredAt(now), expiry.describe(now));
    }
    return new UserStatus(user, storeRoot, key, flow, syncState(user, key, flow), check, pin);
  }

  /**
   * Whether the TPM provisioning would use still holds the key: its storage root key and its blobs,
   * checked without the PIN (no try is spent, nothing is created).
   */
  static LostKey.Check keyCheck(KeyContainer key, TpmStatus tpm, Path storeRoot) {
    if (key.provider() != ProviderKind.TPM) {
      return new LostKey.Check(LostKey.State.NOT_A_TPM_KEY, null);
    }
    if (tpm.opened() == null || tpm.info() == null) {
      return new LostKey.Check(LostKey.State.UNKNOWN, tpm.error() != null ? tpm.error()
          : new KeytrustException(CoreErrorCode.KEY_PROVIDER_MISMATCH, "No TPM was opened (the software provider is"
              + " selected), so the TPM key was not checked: name its TPM."));
    }
    log.debug("status: checking the key of '{}' in {}", key.user(), tpm.opened());
    return LostKey.check(uri -> HelloKeys.open(uri, storeRoot, TPM_TIMEOUT), tpm.opened(), key);
  }

  /** The key store, the journal and the receipt compared: do they tell one story? */
  static String syncState(String user, Optional<KeyContainer> key, FlowStatus flow) {
    Optional<FlowStatus.JournalSummary> j = flow.journal();
    if (j.isPresent() && j.get().inProgress()) {
      FlowStatus.JournalSummary s = j.get();
      String run = s.operation().equals("provision") ? "keytrust provision" : "keytrust " + s.operation();
      return "interrupted: " + s.operation() + " stopped at " + s.state()
          + (s.lastStep() == null ? "" : " after step " + s.lastStep()) + " (" + s.updated()
          + "); run `" + run + " --user " + user + "` to finish it";
    }
    if (flow.receipt().isPresent()) {
      String registered = flow.receipt().get().keyIdHex();
      if (key.isEmpty()) {
        return "out of sync: key " + registered + " is registered but missing from the key store;"
            + " run `keytrust reset --user " + user + "`";
      }
      if (!key.get().keyIdHex().equals(registered)) {
        return "out of sync: the key in the store (" + key.get().keyIdHex() + ") is not the registered key ("
            + registered + "); run `keytrust reset --user " + user + "`";
      }
      return "in sync: the key in the store is the registered key; directory sync copies it to"
          + " msDS-KeyCredentialLink";
    }
    if (key.isPresent()) {
      return j.isPresent() && j.get().keyIdHex() != null && j.get().keyIdHex().equals(key.get().keyIdHex())
          ? "not registered: the flow recorded no registration receipt for this key"
          : "not registered: the key was not made by the provisioning flow (keytrust key create)";
    }
    return "not provisioned: no key, no registration";
  }

  private PrerequisiteReport prerequisites(DeviceStatus device, TpmStatus tpm, EffectivePolicy policy) {
    DeviceContext context = device.context();
    boolean haveContext = context != null;
    if (!haveContext) {
      context = DeviceContext.builder().joinState(JoinState.NOT_JOINED).session(device.session()).build();
    }
    if (tpm.software()) {
      // as the flow decides: the software provider uses no TPM, whatever the device has
      context = context.toBuilder().tpm(TpmState.softwareSelected()).build();
    } else if (tpm.uri() != null) {
      // the TPM as probed here beats what the device context says about it
      context = context.toBuilder().tpm(probedTpmState(tpm)).build();
    }
    PrerequisiteReport report = new PrerequisiteChecker().check(context, policy, ProvisioningTrigger.SIGN_IN);
    if (haveContext) {
      return report;
    }
    List<CheckResult> lines = new ArrayList<>();
    String why = "not tested: no device context ("
        + (device.file() == null ? "give one with --device FILE" : device.file() + " does not exist") + "), so ";
    for (CheckResult c : report.checks()) {
      if (!NEED_CONTEXT.contains(c.id()) || c.answer() == Answer.NOT_TESTED
          && c.id() == PrerequisiteId.GROUP_TARGETING) {
        lines.add(c);
        continue;
      }
      String what = switch (c.id()) {
        case DEVICE_JOINED -> "the join state is unknown";
        case CLOUD_CREDENTIALS -> "the user's cloud sign-in is unknown";
        case GROUP_TARGETING -> "the user's groups are unknown";
        default -> "the user's UPNs are unknown";
      };
      lines.add(new CheckResult(c.id(), Answer.NOT_TESTED, false, why + what));
    }
    return new PrerequisiteReport(lines, report.machinePolicySource(), report.trigger());
  }

  /** The TPM as the probe found it, for the hardware line when the device context does not say. */
  static TpmState probedTpmState(TpmStatus tpm) {
    if (tpm.info() != null) {
      return TpmState.present(dev.keytrust.agent.prereq.TpmVersion.TPM_2_0, true,
          tpm.info().dictionaryAttack().inLockout());
    }
    if (tpm.error() == null) {
      return TpmState.unknown(); // software selected: the TPM was not probed
    }
    if (tpm.error().code() == CoreErrorCode.TPM_VERSION_UNSUPPORTED && tpm.discovered() != null
        && tpm.discovered().stream().anyMatch(t -> t.version() == TpmVersion.TPM_1_2)) {
      return TpmState.present(dev.keytrust.agent.prereq.TpmVersion.TPM_1_2, false, false);
    }
    return FlowStatus.meansNoTpm(tpm.error().code()) ? TpmState.absent() : TpmState.unknown();
  }
}
