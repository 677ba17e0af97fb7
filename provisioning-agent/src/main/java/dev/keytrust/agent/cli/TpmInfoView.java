package dev.keytrust.agent.cli;

import dev.keytrust.error.Durations;
import dev.keytrust.tpm.DictionaryAttackState;
import dev.keytrust.tpm.SrkStatus;
import dev.keytrust.tpm.TpmInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code keytrust tpm info} shows a {@link TpmInfo}: a dsregcmd-style report or JSON. */
final class TpmInfoView {

  private TpmInfoView() {}

  static String text(TpmInfo info) {
    DictionaryAttackState da = info.dictionaryAttack();
    Report report = new Report()
        .section("TPM")
        .row("TPM", info.tpm())
        .row("Manufacturer", info.manufacturer())
        .row("Vendor string", info.vendorString())
        .row("Firmware version", info.firmwareVersion())
        .row("Spec family", info.specFamily())
        .row("Spec revision", info.specRevision())
        .row("Spec year", info.specYear())
        .section("Algorithms")
        .row("Algorithms", String.join(", ", info.algorithms()))
        .row("ECC curves", String.join(", ", info.eccCurves()))
        .section("Dictionary attack protection")
        .row("Failed tries", da.lockoutCounter())
        .row("Max failed tries", da.maxAuthFail())
        .row("Tries left", da.triesLeft())
        .row("Lockout interval", da.lockoutInterval().isZero()
            ? "0 (protection OFF: wrong PINs are not counted)" : Durations.human(da.lockoutInterval()))
        .row("Lockout recovery", Durations.human(da.lockoutRecovery()))
        .row("In lockout", Report.yesNo(da.inLockout()))
        .section("Storage root keys");
    if (info.srks().isEmpty()) {
      report.row("SRK", "none");
    }
    for (SrkStatus srk : info.srks()) {
      report.row("SRK " + srk.algorithm(), handle(srk.handle())
          + ", persistent: " + Report.yesNo(srk.persistent())
          + ", matches TCG template: " + Report.yesNo(srk.matchesTemplate()));
    }
    return report.render();
  }

  static Map<String, Object> json(TpmInfo info) {
    DictionaryAttackState da = info.dictionaryAttack();
    Map<String, Object> daJson = new LinkedHashMap<>();
    daJson.put("lockoutCounter", da.lockoutCounter());
    daJson.put("maxAuthFail", da.maxAuthFail());
    daJson.put("triesLeft", da.triesLeft());
    daJson.put("lockoutIntervalSeconds", da.lockoutInterval().toSeconds());
    daJson.put("lockoutRecoverySeconds", da.lockoutRecovery().toSeconds());
    daJson.put("inLockout", da.inLockout());
    List<Object> srks = new ArrayList<>();
    for (SrkStatus srk : info.srks()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("algorithm", srk.algorithm());
      s.put("handle", handle(srk.handle()));
      s.put("persistent", srk.persistent());
      s.put("matchesTemplate", srk.matchesTemplate());
      srks.add(s);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tpm", info.tpm());
    m.put("manufacturer", info.manufacturer());
    m.put("vendorString", info.vendorString());
    m.put("firmwareVersion", info.firmwareVersion());
    m.put("specFamily", info.specFamily());
    m.put("specRevision", info.specRevision());
    m.put("specYear", info.specYear());
    m.put("algorithms", List.copyOf(info.algorithms()));
    m.put("eccCurves", List.copyOf(info.eccCurves()));
    m.put("dictionaryAttack", daJson);
    m.put("srks", srks);
    return m;
  }

  static String handle(int handle) {
    return String.format("0x%08x", handle);
  }
}
