package dev.keytrust.agent.cli;

import dev.keytrust.key.KeyContainer;
import java.util.LinkedHashMap;
import java.util.Map;

/** How the CLI shows a user key: as a report with the PEM below it, or as a JSON object. */
final class KeyView {

  private KeyView() {}

  static String text(String title, KeyContainer key, String tpmDescription) {
    Report report = new Report().section(title)
        .row("User", key.user())
        .row("Key id", key.keyIdHex())
        .row("Provider", key.provider().id())
        .row("Algorithm", key.algorithm().id())
        .row("Created", key.createdAt());
    if (tpmDescription != null) {
      report.row("TPM", tpmDescription);
    }
    return report.render() + "\n" + key.publicKeyPem();
  }

  static Map<String, Object> json(KeyContainer key, String tpmDescription) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user", key.user());
    m.put("keyId", key.keyIdHex());
    m.put("provider", key.provider().id());
    m.put("algorithm", key.algorithm().id());
    m.put("created", key.createdAt().toString());
    if (tpmDescription != null) {
      m.put("tpm", tpmDescription);
    }
    m.put("publicKeyPem", key.publicKeyPem());
    return m;
  }
}
