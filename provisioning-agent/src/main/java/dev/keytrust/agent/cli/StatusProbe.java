package dev.keytrust.agent.cli;

import dev.keytrust.agent.flow.FlowStatus;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers what {@code keytrust status} shows: the device context, the TPM and the key provider
 * provisioning would use, the user's key and flow records, the prerequisite check and the
 * effective policy. Only reads: it opens the TPM for its facts but creates nothing, and it never
 * writes to the key store. Missing inputs become "unknown" in the result; a TPM that cannot be
 * reached is part of the result, not an error.
 */
final class StatusProbe {

  private static final Logger log = LoggerFactory.getLogger(StatusProbe.class);

  /** How long one TPM command may take while status reads the TPM's facts. */
  static final Duration TPM_TIMEOUT = Duration.ofSeconds(20);

  /** Lines that need the device context; without one they are Not Tested. */
  private static final List<PrerequisiteId> NEED_CONTEXT = List.of(PrerequisiteId.DEVICE_JOINED,
      PrerequisiteId.CLOUD_CREDENTIALS, PrerequisiteId.GROUP_TARGETING, PrerequisiteId.UPN);

  /** What was asked for: every field may be null (not given). */
  record Request(String user, Path policyDir, Path deviceFile, String tpmOption, Path storeRoot) {}

  /**
   * The device section.
   *
   * @param file the device context file given, or null
   * @param fileState {@code read}, {@code not given} or {@code not found}
   * @param context the context read from the file, or null without one
   * @param session the session: from the file's {@code session.remote}, else detected here
   * @param unknown what is not known, in words
   */
  record DeviceSection(Path file, String fileState, DeviceContext context, SessionInfo session,
      List<String> unknown) {}

  /**
   * The TPM and key provider section.
   *
   * @param uri the TPM named (null when the platform has no default)
   * @param uriSource {@code --tpm}, {@code KEYTRUST_TPM} or {@code platform default}
   * @param discovered what sysfs lists (for {@code auto} and {@code device:} on Linux), else null
   * @param opened the TPM actually opened ({@code auto} resolved), or null
   * @param info the TPM's facts when it could be opened, else null
   * @param error why there is no TPM (cannot be chosen, reached or read), else null
   * @param provider the key provider provisioning would use, null when it would stop
   * @param providerReason why
   * @param requireSecurityDevice the policy value deciding a software fallback
   */
  record TpmSection(TpmUri uri, String uriSource, List<DiscoveredTpm> discovered, TpmUri opened,
      TpmInfo info, KeytrustException error, ProviderKind provider, String providerReason,
      EffectiveValue<Boolean> requireSecurityDevice) {

    boolean software() {
      return uri != null && uri.isSoftware();
    }
  }

  /**
   * The user section.
   *
   * @param user the user, or null when {@code --user} was not given
   * @param store the key store folder
   * @param key the user's key, empty when there is none
   * @param flow what the provisioning flow recorded, or null without a user
   * @param syncState the key store, the journal and the receipt compared, in words
   */
  record UserSection(String user, Path store, Optional<KeyContainer> key, FlowStatus flow,
      String syncState) {}

  /** Everything status shows. */
  record Status(DeviceSection device, TpmSection tpm, UserSection user, PrerequisiteReport prerequisites,
      EffectivePolicy policy, String policyNote) {}

  private final CliEnvironment environment;
  private final TpmDiscovery discovery;
  private final RemoteSessionDetector detector;

  StatusProbe(CliEnvironment environment, TpmDiscovery discovery, RemoteSessionDetector detector) {
    this.environment = Objects.requireNonNull(environment, "environment");
    this.discovery = Objects.requireNonNull(discovery, "discovery");
    this.detector = Objects.requireNonNull(detector, "detector");
  }

  /**
   * Gathers the status.
   *
   * @throws KeytrustException for bad input (an unknown TPM URI, a user name that cannot name a
   *     folder), a malformed device context or policy file (naming it), a damaged key or record
   */
  Status probe(Request r) throws KeytrustException {
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
    DeviceSection device = device(r.deviceFile());
    TpmSection tpm = tpm(r.tpmOption(), policy);
    UserSection user = user(r.user(), r.storeRoot() != null ? r.storeRoot() : KeyContainerStore.defaultRoot());
    PrerequisiteReport prereq = prerequisites(device, tpm, policy);
    return new Status(device, tpm, user, prereq, policy, policyNote);
  }

  private DeviceSection device(Path file) throws KeytrustException {
    if (file == null || !Files.exists(file)) {
      SessionInfo session = detector.detect();
      List<String> unknown = List.of("join state", "device id", "tenant", "verified domains",
          "the user's identity (UPNs, groups, cloud token)");
      return new DeviceSection(file, file == null ? "not given" : "not found", null, session, unknown);
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
    return new DeviceSection(file, "read", c, c.session(), List.copyOf(unknown));
  }

  private TpmSection tpm(String option, EffectivePolicy policy) throws KeytrustException {
    EffectiveValue<Boolean> require = policy.effective(Setting.REQUIRE_SECURITY_DEVICE);
    String source = option != null ? "--tpm"
        : environment.getenv(TpmUri.ENV).filter(v -> !v.isBlank()).isPresent() ? TpmUri.ENV : "platform default";
    TpmUri uri;
    try {
      uri = TpmSelection.resolve(option, environment);
    } catch (KeytrustException e) {
      if (option != null || e.code() == CoreErrorCode.UNKNOWN_TPM_URI) {
        throw e; // a TPM URI the user gave that does not parse: bad input
      }
      return new TpmSection(null, source, null, null, null, e, null,
          "no TPM is named and this platform has no default one: provisioning would stop", require);
    }
    if (uri.isSoftware()) {
      return require.value()
          ? new TpmSection(uri, source, null, null, null, null, null, "none: " + require.describe()
              + " requires a TPM but the software provider is selected; name a TPM instead", require)
          : new TpmSection(uri, source, null, null, null, null, ProviderKind.SOFTWARE,
              "software key, as selected; allowed by policy (" + require.describe() + ")", require);
    }
    boolean linux = environment.osName().toLowerCase(Locale.ROOT).startsWith("linux");
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
    return new TpmSection(uri, source, discovered, target, info, error, provider, reason, require);
  }

  private TpmUri resolveAuto(TpmUri uri, boolean linux) throws KeytrustException {
    if (!uri.isAuto()) {
      return uri;
    }
    if (linux) {
      return discovery.chooseAuto();
    }
    if (environment.osName().toLowerCase(Locale.ROOT).startsWith("windows")) {
      return TpmUri.parse(TpmUri.TBS);
    }
    throw new KeytrustException(CoreErrorCode.TPM_PLATFORM_UNSUPPORTED, "--tpm auto finds TPMs on Linux and"
        + " Windows only, and this OS is " + environment.osName() + ": name the TPM with --tpm.");
  }

  private static UserSection user(String user, Path storeRoot) throws KeytrustException {
    if (user == null) {
      return new UserSection(null, storeRoot, Optional.empty(), null, "unknown: no --user given");
    }
    KeyContainerStore store = new KeyContainerStore(storeRoot);
    Optional<KeyContainer> key = store.find(user);
    FlowStatus flow = FlowStatus.read(store, user);
    return new UserSection(user, storeRoot, key, flow, syncState(user, key, flow));
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

  private PrerequisiteReport prerequisites(DeviceSection device, TpmSection tpm, EffectivePolicy policy) {
    DeviceContext context = device.context();
    boolean haveContext = context != null;
    if (!haveContext) {
      context = DeviceContext.builder().joinState(JoinState.NOT_JOINED).session(device.session()).build();
    }
    if (tpm.uri() != null && !tpm.software()) {
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
  static TpmState probedTpmState(TpmSection tpm) {
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
