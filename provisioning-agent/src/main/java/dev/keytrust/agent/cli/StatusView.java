package dev.keytrust.agent.cli;

import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.flow.FlowStatus;
import dev.keytrust.agent.flow.LostKey;
import dev.keytrust.agent.flow.RegisteredKey;
import dev.keytrust.agent.flow.RemainingRegistration;
import dev.keytrust.agent.policy.ConfiguredValue;
import dev.keytrust.agent.policy.EffectivePolicy;
import dev.keytrust.agent.policy.EffectiveValue;
import dev.keytrust.agent.policy.PolicyDiagnostic;
import dev.keytrust.agent.prereq.CheckResult;
import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.JoinState;
import dev.keytrust.agent.prereq.PrerequisiteId;
import dev.keytrust.agent.prereq.PrerequisiteRenderer;
import dev.keytrust.agent.prereq.PrerequisiteReport;
import dev.keytrust.agent.prereq.UserIdentity;
import dev.keytrust.agent.status.DeviceStatus;
import dev.keytrust.agent.status.StatusReport;
import dev.keytrust.agent.status.TpmSource;
import dev.keytrust.agent.status.TpmStatus;
import dev.keytrust.agent.status.UserStatus;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.Durations;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.tpm.DictionaryAttackState;
import dev.keytrust.tpm.DiscoveredTpm;
import dev.keytrust.tpm.SrkStatus;
import dev.keytrust.tpm.TpmDeviceNode;
import dev.keytrust.tpm.TpmInfo;
import dev.keytrust.tpm.TpmUri;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How {@code keytrust status} shows a {@link StatusReport}: dsregcmd-style sections (Device State, TPM
 * and Key Provider, User State, Ngc Prerequisite Check, Effective Policy) or one JSON object with
 * the same content. The JSON field names are stable; README.md lists them.
 */
final class StatusView {

  static final String DEVICE = "Device State";
  static final String TPM = "TPM and Key Provider";
  static final String USER = "User State";
  static final String PREREQ = PrerequisiteRenderer.NGC_SECTION_TITLE;
  static final String POLICY = "Effective Policy";

  private StatusView() {}

  // ------------------------------------------------------------------------------------------
  // text

  static String text(StatusReport s) {
    Report r = new Report();
    deviceText(r, s.device());
    tpmText(r, s.tpm());
    userText(r, s.user());
    prereqText(r, s.prerequisites());
    policyText(r, s.policy(), s.policyNote());
    return r.render();
  }

  private static void deviceText(Report r, DeviceStatus d) {
    r.section(DEVICE);
    DeviceContext c = d.context();
    r.row("Device context", d.file() == null ? "none (give one with --device FILE)"
        : d.file() + (d.context() == null ? " (" + d.fileState().words() + ")" : ""));
    if (c == null) {
      r.row("AzureAdJoined", "UNKNOWN").row("DomainJoined", "UNKNOWN").row("Join state", "unknown")
          .row("DeviceId", "unknown").row("TenantId", "unknown");
    } else {
      r.row("AzureAdJoined", yesNo(azureAdJoined(c.joinState())))
          .row("DomainJoined", yesNo(domainJoined(c.joinState())))
          .row("Join state", joinText(c.joinState()))
          .row("DeviceId", c.deviceId().orElse("unknown"))
          .row("TenantId", c.tenantId().orElse("unknown"));
      if (!c.verifiedDomains().isEmpty()) {
        r.row("Verified domains", String.join(", ", c.verifiedDomains()));
      }
    }
    r.row("Remote session", Report.yesNo(d.session().remote()) + " (" + d.session().evidence() + ")");
    if (!d.unknown().isEmpty()) {
      r.row("Unknown", String.join(", ", d.unknown()));
    }
  }

  private static void tpmText(Report r, TpmStatus t) {
    r.section(TPM);
    r.row("TPM", (t.uri() == null ? "none" : t.uri().toString()) + " (" + source(t.uriSource()) + ")");
    if (t.discovered() != null) {
      if (t.discovered().isEmpty()) {
        r.row("Found in sysfs", "no TPM");
      }
      for (DiscoveredTpm d : t.discovered()) {
        r.row("Found in sysfs", String.join(", ", d.facts()));
      }
    }
    if (t.opened() != null && !t.opened().equals(t.uri())) {
      r.row("Chosen", t.opened().toString());
    }
    if (t.software()) {
      r.row("TPM reachable", "not probed (software provider selected)");
    } else if (t.info() != null) {
      TpmInfo i = t.info();
      r.row("TPM reachable", "YES");
      r.row("Manufacturer", i.manufacturer() + " (" + i.vendorString() + "), firmware " + i.firmwareVersion());
      r.row("Specification", i.specFamily() + " revision " + i.specRevision() + " (" + i.specYear() + ")");
      r.row("DA protection", daText(i.dictionaryAttack()));
      List<String> srks = new ArrayList<>();
      for (SrkStatus srk : i.srks()) {
        srks.add(srk.algorithm() + " " + TpmInfoView.handle(srk.handle()) + (srk.persistent()
            ? (srk.matchesTemplate() ? " persistent" : " persistent, NOT the TCG template") : " not persistent"));
      }
      r.row("Storage root keys", srks.isEmpty() ? "none" : String.join(", ", srks));
    } else {
      r.row("TPM reachable", "NO: " + oneLine(t.error().getMessage()) + " [" + t.error().code().id() + "]");
    }
    r.row("KeyProvider", t.provider() == null ? "none" : providerName(t.provider()));
    r.row("TpmProtected", Report.yesNo(t.provider() == ProviderKind.TPM));
    r.row("Provider reason", t.providerReason());
  }

  private static void userText(Report r, UserStatus u) {
    r.section(USER);
    r.row("User", u.user() == null ? "none (give one with --user U)" : u.user());
    r.row("Key store", u.store());
    if (u.user() == null) {
      return;
    }
    r.row("NgcSet", Report.yesNo(u.key().isPresent()));
    if (u.key().isPresent()) {
      KeyContainer k = u.key().get();
      r.row("NgcKeyId", k.keyIdHex());
      r.row("NgcKeyId (Base64)", Base64.getEncoder().encodeToString(k.keyId()));
      r.row("Key provider", providerName(k.provider()));
      r.row("Algorithm", k.algorithm().id());
      r.row("Created", k.createdAt());
      r.row("Attested", AttestationLine.of(u.store(), u.user(), k).text());
      keyCheckText(r, u);
    }
    FlowStatus f = u.flow();
    if (f.receipt().isPresent()) {
      RegisteredKey reg = f.receipt().get();
      RegistrationReceipt rc = reg.receipt();
      r.row("Registered key", reg.keyIdHex());
      r.row("Registration endpoint", rc.endpoint());
      r.row("Registration kid", rc.serverKeyId() == null ? "none" : rc.serverKeyId());
      r.row("Registered as", rc.userPrincipalName() == null ? reg.registration().userPrincipalName()
          : rc.userPrincipalName());
      r.row("Registered at", rc.registeredAt() + (rc.alreadyPresent() ? " (the endpoint already held it)" : ""));
    } else {
      r.row("Registration", "none recorded");
    }
    for (RemainingRegistration left : f.remaining()) {
      r.row("Registration remains", "key " + left.keyIdHex() + " at " + left.endpoint() + " since " + left.since()
          + ": that endpoint does not remove keys (" + left.errorCode() + "); remove it there, then `keytrust"
          + " reset --user " + u.user() + "` clears it from the records");
    }
    if (f.journal().isPresent()) {
      FlowStatus.JournalSummary j = f.journal().get();
      r.row("Last operation", j.operation() + ": " + j.state() + (j.inProgress() ? " (in progress)" : "")
          + ", updated " + j.updated());
      if (j.keyChoice() != null) {
        r.row("Provider chosen", j.keyChoice());
      }
    }
    r.row("Sync state", u.syncState());
    if (u.pin() != null) {
      r.row("PIN set", u.pin().setAt().map(Object::toString).orElse("unknown (no set time recorded)"));
      r.row("PIN expires", u.pin().describe());
    }
  }

  /** One line: does the TPM still hold the key, and what to do when it lost it. */
  private static void keyCheckText(Report r, UserStatus u) {
    LostKey.Check c = u.keyCheck();
    if (c == null || c.state() == LostKey.State.NOT_A_TPM_KEY) {
      return;
    }
    r.row("Key in TPM", switch (c.state()) {
      case USABLE -> "YES (the TPM loads it; the PIN was not tried)";
      case LOST -> "LOST: " + (c.error().code() == CoreErrorCode.TPM_SRK_MISMATCH
              ? "the TPM no longer has the storage root key it was made under"
              : "the TPM no longer loads it")
          + " (cleared or its firmware updated, or the key store is from another machine) ["
          + c.error().code().id() + "]; run `keytrust provision --user " + u.user() + "` to replace it (after MFA"
          + " it removes the lost key's registration and makes a new key with a new PIN)";
      default -> "not checked: " + c.error().getMessage() + " [" + c.error().code().id() + "]";
    });
  }

  private static void prereqText(Report r, PrerequisiteReport p) {
    r.section(PREREQ);
    for (CheckResult c : p.checks()) {
      if (c.id() == PrerequisiteId.GROUP_TARGETING) {
        r.row("CertEnrollment", p.machinePolicySource().windowsName());
      }
      r.row(c.id().dsregField(), c.answer().dsregText() + " (" + c.reason() + ")");
    }
    r.row("PreReqResult", p.result().dsregText() + " (event " + p.result().eventId() + ")");
  }

  private static void policyText(Report r, EffectivePolicy p, String note) {
    r.section(POLICY);
    r.row("Policy", note);
    r.row("Machine policy", p.machinePolicySource().windowsName());
    for (EffectiveValue<?> v : p.values()) {
      r.row(v.setting().name(), valueText(v));
    }
    for (PolicyDiagnostic d : p.diagnostics()) {
      r.row("Diagnostic", oneLine(d.toString()));
    }
  }

  private static <T> String valueText(EffectiveValue<T> v) {
    String value = v.setting().format(v.value());
    StringBuilder sb = new StringBuilder(value.isEmpty() ? "none" : value).append(" (")
        .append(v.origin().describe()).append(')');
    for (ConfiguredValue<T> ignored : v.ignored()) {
      sb.append(", ignored: ").append(v.setting().format(ignored.value())).append(" (")
          .append(ignored.origin().describe()).append(')');
    }
    return sb.toString();
  }

  private static String daText(DictionaryAttackState da) {
    if (da.lockoutInterval().isZero()) {
      return "OFF (wrong PINs are not counted; keytrust makes no PIN key on this TPM)";
    }
    return da.lockoutCounter() + " of " + da.maxAuthFail() + " failed tries, " + da.triesLeft() + " left, in lockout "
        + Report.yesNo(da.inLockout()) + ", one try forgiven every " + Durations.human(da.lockoutInterval());
  }

  // ------------------------------------------------------------------------------------------
  // JSON

  static Map<String, Object> json(StatusReport s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("device", deviceJson(s.device()));
    m.put("tpm", tpmJson(s.tpm()));
    m.put("user", userJson(s.user()));
    m.put("prerequisites", PrerequisiteRenderer.toMap(s.prerequisites()));
    Map<String, Object> policy = new LinkedHashMap<>();
    policy.put("note", s.policyNote());
    policy.putAll(s.policy().toMap());
    m.put("policy", policy);
    return m;
  }

  private static Map<String, Object> deviceJson(DeviceStatus d) {
    Map<String, Object> m = new LinkedHashMap<>();
    DeviceContext c = d.context();
    m.put("contextFile", d.file() == null ? null : d.file().toString());
    m.put("contextState", d.fileState().words());
    m.put("joinState", c == null ? null : c.joinState().fileValue());
    m.put("azureAdJoined", c == null ? null : azureAdJoined(c.joinState()));
    m.put("domainJoined", c == null ? null : domainJoined(c.joinState()));
    m.put("deviceId", c == null ? null : c.deviceId().orElse(null));
    m.put("tenantId", c == null ? null : c.tenantId().orElse(null));
    m.put("verifiedDomains", c == null ? List.of() : List.copyOf(c.verifiedDomains()));
    Map<String, Object> session = new LinkedHashMap<>();
    session.put("remote", d.session().remote());
    session.put("evidence", d.session().evidence());
    m.put("session", session);
    if (c != null) {
      UserIdentity u = c.user();
      Map<String, Object> user = new LinkedHashMap<>();
      user.put("onPremUpn", u.onPremUpn().orElse(null));
      user.put("cloudUpn", u.cloudUpn().orElse(null));
      user.put("onPremisesUserPrincipalName", u.onPremisesUserPrincipalName().orElse(null));
      user.put("groups", List.copyOf(u.groups()));
      user.put("hasCloudToken", !u.claims().isEmpty());
      m.put("signedInUser", user);
    } else {
      m.put("signedInUser", null);
    }
    m.put("unknown", List.copyOf(d.unknown()));
    return m;
  }

  private static Map<String, Object> tpmJson(TpmStatus t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uri", t.uri() == null ? null : t.uri().toString());
    m.put("uriSource", source(t.uriSource()));
    if (t.discovered() == null) {
      m.put("discovered", null);
    } else {
      List<Object> found = new ArrayList<>();
      for (DiscoveredTpm d : t.discovered()) {
        Map<String, Object> dm = new LinkedHashMap<>();
        dm.put("name", d.name());
        dm.put("version", d.version().toString());
        dm.put("versionSource", d.versionSource());
        dm.put("driver", d.driver());
        dm.put("resourceManager", nodeJson(d.resourceManagerNode()));
        dm.put("raw", nodeJson(d.rawNode()));
        found.add(dm);
      }
      m.put("discovered", found);
    }
    m.put("opened", t.opened() == null ? null : t.opened().toString());
    m.put("reachable", t.info() != null);
    if (t.error() == null) {
      m.put("error", null);
    } else {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("code", t.error().code().id());
      e.put("message", oneLine(t.error().getMessage()));
      m.put("error", e);
    }
    TpmInfo i = t.info();
    if (i == null) {
      m.put("info", null);
    } else {
      Map<String, Object> im = TpmInfoView.json(i);
      im.remove("algorithms");
      im.remove("eccCurves");
      m.put("info", im);
    }
    Map<String, Object> kp = new LinkedHashMap<>();
    kp.put("provider", t.provider() == null ? null : t.provider().id());
    kp.put("tpmProtected", t.provider() == ProviderKind.TPM);
    kp.put("reason", t.providerReason());
    kp.put("requireSecurityDevice", t.requireSecurityDevice().value());
    kp.put("requireSecurityDeviceOrigin", t.requireSecurityDevice().origin().describe());
    m.put("keyProvider", kp);
    return m;
  }

  private static Object nodeJson(TpmDeviceNode n) {
    if (n == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", n.path().toString());
    m.put("owner", n.owner());
    m.put("group", n.group());
    m.put("permissions", n.permissions());
    m.put("accessible", n.accessible());
    return m;
  }

  private static Map<String, Object> userJson(UserStatus u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user", u.user());
    m.put("store", u.store().toString());
    m.put("ngcSet", u.user() == null ? null : u.key().isPresent());
    KeyContainer k = u.key().orElse(null);
    if (k == null) {
      m.put("key", null);
    } else {
      Map<String, Object> km = new LinkedHashMap<>();
      km.put("keyId", k.keyIdHex());
      km.put("keyIdBase64", Base64.getEncoder().encodeToString(k.keyId()));
      km.put("provider", k.provider().id());
      km.put("algorithm", k.algorithm().id());
      km.put("created", k.createdAt().toString());
      AttestationLine.Line attested = AttestationLine.of(u.store(), u.user(), k);
      Map<String, Object> am = new LinkedHashMap<>();
      am.put("attested", attested.status().map(a -> a.attested()).orElse(false));
      am.put("summary", attested.text());
      attested.status().ifPresent(a -> {
        am.put("aikIssuer", a.aikIssuer());
        am.put("ekIssuer", a.ekIssuer());
        am.put("tpm", a.tpm());
        am.put("endpoint", a.endpoint());
        am.put("at", a.at().toString());
      });
      km.put("attestation", am);
      LostKey.Check c = u.keyCheck();
      if (c == null) {
        km.put("inTpm", null);
      } else {
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("state", c.state().name());
        cm.put("errorCode", c.error() == null ? null : c.error().code().id());
        cm.put("message", c.error() == null ? null : c.error().getMessage());
        km.put("inTpm", cm);
      }
      m.put("key", km);
    }
    FlowStatus f = u.flow();
    if (f != null && f.receipt().isPresent()) {
      RegisteredKey reg = f.receipt().get();
      RegistrationReceipt rc = reg.receipt();
      Map<String, Object> rm = new LinkedHashMap<>();
      rm.put("keyId", reg.keyIdHex());
      rm.put("keyIdBase64", rc.keyIdBase64());
      rm.put("endpoint", rc.endpoint());
      rm.put("kid", rc.serverKeyId());
      rm.put("userPrincipalName", rc.userPrincipalName() == null ? reg.registration().userPrincipalName()
          : rc.userPrincipalName());
      rm.put("requestId", rc.requestId());
      rm.put("alreadyPresent", rc.alreadyPresent());
      rm.put("registeredAt", rc.registeredAt().toString());
      rm.put("deviceId", reg.registration().deviceId() == null ? null : reg.registration().deviceId().toString());
      m.put("registration", rm);
    } else {
      m.put("registration", null);
    }
    List<Object> remaining = new ArrayList<>();
    for (RemainingRegistration left : f == null ? List.<RemainingRegistration>of() : f.remaining()) {
      Map<String, Object> lm = new LinkedHashMap<>();
      lm.put("keyId", left.keyIdHex());
      lm.put("keyIdBase64", left.registration().keyIdBase64());
      lm.put("endpoint", left.endpoint());
      lm.put("errorCode", left.errorCode());
      lm.put("reason", left.reason());
      lm.put("since", left.since().toString());
      remaining.add(lm);
    }
    m.put("remaining", remaining);
    if (f != null && f.journal().isPresent()) {
      FlowStatus.JournalSummary j = f.journal().get();
      Map<String, Object> jm = new LinkedHashMap<>();
      jm.put("operation", j.operation());
      jm.put("state", j.state());
      jm.put("inProgress", j.inProgress());
      jm.put("runId", j.runId());
      jm.put("updated", j.updated().toString());
      jm.put("lastStep", j.lastStep());
      jm.put("keyId", j.keyIdHex());
      jm.put("keyProvider", j.keyProvider() == null ? null : j.keyProvider().id());
      jm.put("keyChoice", j.keyChoice());
      m.put("journal", jm);
    } else {
      m.put("journal", null);
    }
    m.put("syncState", u.syncState());
    if (u.pin() != null) {
      Map<String, Object> pin = new LinkedHashMap<>();
      pin.put("setAt", u.pin().setAt().map(Object::toString).orElse(null));
      pin.put("expiresAt", u.pin().expiresAt().map(Object::toString).orElse(null));
      pin.put("expired", u.pin().expired());
      m.put("pin", pin);
    } else {
      m.put("pin", null);
    }
    return m;
  }

  // ------------------------------------------------------------------------------------------

  private static boolean azureAdJoined(JoinState s) {
    return s == JoinState.ENTRA_JOINED || s == JoinState.HYBRID_JOINED;
  }

  private static boolean domainJoined(JoinState s) {
    return s == JoinState.DOMAIN_JOINED || s == JoinState.HYBRID_JOINED;
  }

  private static String yesNo(boolean b) {
    return Report.yesNo(b);
  }

  private static String joinText(JoinState s) {
    return switch (s) {
      case NOT_JOINED -> "not joined";
      case ENTRA_JOINED -> "Entra joined";
      case DOMAIN_JOINED -> "domain joined";
      case HYBRID_JOINED -> "hybrid joined (DJ++)";
    };
  }

  /** Who named the TPM, in the CLI's terms: the option, the variable or the platform default. */
  static String source(TpmSource source) {
    return switch (source) {
      case GIVEN -> "--tpm";
      case ENVIRONMENT -> TpmUri.ENV;
      case PLATFORM_DEFAULT -> "platform default";
    };
  }

  /** Like dsregcmd's KeyProvider: the Windows provider name it stands for. */
  static String providerName(ProviderKind k) {
    return k == ProviderKind.TPM ? "tpm (as Microsoft Platform Crypto Provider)"
        : "software (as Microsoft Software Key Storage Provider)";
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
