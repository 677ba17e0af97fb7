package dev.keytrust.agent.cli;

import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.flow.FlowListener;
import dev.keytrust.agent.flow.FlowOperation;
import dev.keytrust.agent.flow.ProvisioningFlow;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.flow.RegisteredKey;
import dev.keytrust.agent.flow.StepEvent;
import dev.keytrust.agent.flow.StepId;
import dev.keytrust.agent.flow.StepOutcome;
import dev.keytrust.agent.pin.PinSource;
import dev.keytrust.error.KeytrustException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the flow commands share: the one reader of standard input, the PIN source, the progress
 * lines (one per {@link StepEvent} on stderr) and the result (text or JSON on stdout).
 *
 * <p>Progress lines: {@code [N/M] STEP OUTCOME ...}, e.g. {@code [5/8] key STARTED: Create the key}
 * and {@code [5/8] key SUCCEEDED 412 ms: software p256 key ...}; a FAILED line carries the error
 * code; steps outside the plan (cleanup after an interrupted run) show {@code [+]}.
 */
final class FlowCli {

  private FlowCli() {}

  /** PIN lines from {@code stdin} ({@code --pin-stdin}), else the terminal (which must exist). */
  static PinSource pins(boolean pinStdin, CliEnvironment env, StdinLines stdin) throws KeytrustException {
    return pinStdin ? stdin.pins() : PinInput.source(env.console());
  }

  /** The progress printer of {@code operation}. */
  static FlowListener progress(PrintWriter err, FlowOperation operation) {
    List<StepId> plan = ProvisioningFlow.plan(operation);
    return event -> {
      err.println(progressLine(event, plan));
      err.flush();
    };
  }

  static String progressLine(StepEvent e, List<StepId> plan) {
    int n = plan.indexOf(e.step()) + 1;
    StringBuilder line = new StringBuilder(n == 0 ? "[+] " : "[" + n + "/" + plan.size() + "] ")
        .append(e.step().id()).append(' ').append(e.outcome().name());
    if (e.outcome() == StepOutcome.STARTED) {
      return line.append(": ").append(e.name()).toString();
    }
    line.append(' ').append(e.duration().toMillis()).append(" ms");
    e.error().ifPresent(code -> line.append(" [").append(code.id()).append(']'));
    e.details().ifPresent(d -> line.append(": ").append(d));
    return line.toString();
  }

  /** Prints the result on stdout: a report and what to do next, or JSON. */
  static void print(PrintWriter out, ProvisioningResult r, boolean json) {
    if (json) {
      out.println(Json.write(json(r)));
    } else {
      out.print(text(r));
    }
    out.flush();
  }

  static String text(ProvisioningResult r) {
    Report report = new Report().section(title(r))
        .row("User", r.user())
        .row("Outcome", r.outcome().name());
    r.keyId().ifPresent(id -> report.row("Key id", id));
    r.choice().ifPresent(c -> report.row("Provider", c.provider().id()).row("Why", c.reason()));
    r.registered().ifPresent(k -> {
      RegistrationReceipt receipt = k.receipt();
      report.row("Endpoint", receipt.endpoint())
          .row("Key id (base64)", receipt.keyIdBase64())
          .row("Registered at", receipt.registeredAt());
      if (receipt.serverKeyId() != null) {
        report.row("Server key id", receipt.serverKeyId());
      }
    });
    report.row("Resumed", Report.yesNo(r.resumed())).row("Run id", r.runId());
    return report.render() + "\n" + next(r) + "\n";
  }

  private static String title(ProvisioningResult r) {
    return switch (r.outcome()) {
      case PROVISIONED -> "Windows Hello for Business key provisioned";
      case ALREADY_PROVISIONED -> "Already provisioned";
      case PIN_CHANGED -> "PIN changed";
      case RESET -> "Reset";
      case NOTHING_TO_RESET -> "Nothing to reset";
    };
  }

  /** What the user can do now. */
  static String next(ProvisioningResult r) {
    String user = r.user();
    return switch (r.outcome()) {
      case PROVISIONED, ALREADY_PROVISIONED -> r.registered().map(FlowCli::afterRegistration)
          .orElse("The key is provisioned.");
      case PIN_CHANGED -> "PIN changed: the new key is registered and the old one is removed. "
          + r.registered().map(FlowCli::syncDelay).orElse("")
          + " Until then on-premises sign-in may need the new key to arrive: stay signed in.";
      case RESET -> "Reset done: the registrations, the key, the PIN history and the records of user '" + user
          + "' are removed. Run `keytrust provision --user " + user + "` to set up Windows Hello again.";
      case NOTHING_TO_RESET -> "User '" + user + "' had nothing to reset.";
    };
  }

  private static String afterRegistration(RegisteredKey k) {
    return "Key registered; your PIN now unlocks it on this device. " + syncDelay(k);
  }

  private static String syncDelay(RegisteredKey k) {
    String endpoint = k.receipt().endpoint().toLowerCase(Locale.ROOT);
    if (endpoint.startsWith("ldap")) {
      return "The key is in the user's msDS-KeyCredentialLink in Active Directory: on-premises sign-in works"
          + " once the domain controllers have replicated it.";
    }
    return "On-premises sign-in works after the directory sync copies the key to Active Directory"
        + " (msDS-KeyCredentialLink; up to 30 minutes).";
  }

  static Map<String, Object> json(ProvisioningResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runId", r.runId());
    m.put("operation", r.operation().id());
    m.put("user", r.user());
    m.put("outcome", r.outcome().name());
    m.put("keyId", r.keyIdHex());
    m.put("provider", r.choice().map(c -> c.provider().id()).orElse(null));
    m.put("providerReason", r.choice().map(c -> c.reason()).orElse(null));
    m.put("registration", r.registered().map(FlowCli::json).orElse(null));
    m.put("resumed", r.resumed());
    List<Object> events = new ArrayList<>();
    for (StepEvent e : r.events()) {
      Map<String, Object> ev = new LinkedHashMap<>();
      ev.put("step", e.step().id());
      ev.put("name", e.name());
      ev.put("outcome", e.outcome().name());
      ev.put("durationMs", e.duration().toMillis());
      ev.put("errorCode", e.error().map(c -> c.id()).orElse(null));
      ev.put("detail", e.detail());
      events.add(ev);
    }
    m.put("events", events);
    m.put("next", next(r));
    return m;
  }

  private static Map<String, Object> json(RegisteredKey k) {
    RegistrationReceipt receipt = k.receipt();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("endpoint", receipt.endpoint());
    m.put("keyIdBase64", receipt.keyIdBase64());
    m.put("keyIdHex", k.keyIdHex());
    m.put("serverKeyId", receipt.serverKeyId());
    m.put("userPrincipalName", receipt.userPrincipalName());
    m.put("requestId", receipt.requestId());
    m.put("alreadyPresent", receipt.alreadyPresent());
    m.put("registeredAt", receipt.registeredAt().toString());
    return m;
  }
}
