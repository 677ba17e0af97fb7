package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.tpm.DictionaryAttackState;
import dev.keytrust.tpm.SrkStatus;
import dev.keytrust.tpm.TpmInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TpmInfoViewTest {

  private static final TpmInfo INFO = new TpmInfo(
      "mssim://127.0.0.1:2321", "IBM", "SW   TPM", "20.26.0.0 (0x20191023, 0x00163636)", "2.0", "1.64", 2021,
      List.of("RSA", "SHA256", "ECC"), List.of("NIST_P256", "NIST_P384"),
      new DictionaryAttackState(2, 3, Duration.ofHours(2), Duration.ZERO, false),
      List.of(new SrkStatus("rsa2048", 0x81000001, true, true), new SrkStatus("p256", 0x81000002, false, false)));

  @Test
  void textShowsEveryField() {
    String text = TpmInfoView.text(INFO);
    assertThat(text).contains(
        "              TPM : mssim://127.0.0.1:2321\n",
        "     Manufacturer : IBM\n",
        "    Vendor string : SW   TPM\n",
        " Firmware version : 20.26.0.0 (0x20191023, 0x00163636)\n",
        "      Spec family : 2.0\n",
        "    Spec revision : 1.64\n",
        "        Spec year : 2021\n",
        "       Algorithms : RSA, SHA256, ECC\n",
        "       ECC curves : NIST_P256, NIST_P384\n",
        "     Failed tries : 2\n",
        " Max failed tries : 3\n",
        "       Tries left : 1\n",
        " Lockout interval : 2 h\n",
        " Lockout recovery : 0 s\n",
        "       In lockout : NO\n",
        "      SRK rsa2048 : 0x81000001, persistent: YES, matches TCG template: YES\n",
        "         SRK p256 : 0x81000002, persistent: NO, matches TCG template: NO\n");
  }

  @Test
  void jsonCarriesEveryFieldWithDurationsInSeconds() {
    Map<String, Object> m = TpmInfoView.json(INFO);
    assertThat(m).containsKeys("tpm", "manufacturer", "vendorString", "firmwareVersion", "specFamily",
        "specRevision", "specYear", "algorithms", "eccCurves", "dictionaryAttack", "srks");
    String json = Json.write(m);
    assertThat(json).contains("\"lockoutIntervalSeconds\": 7200", "\"lockoutRecoverySeconds\": 0",
        "\"handle\": \"0x81000001\"", "\"matchesTemplate\": false", "\"specYear\": 2021", "\"triesLeft\": 1");
  }
}
