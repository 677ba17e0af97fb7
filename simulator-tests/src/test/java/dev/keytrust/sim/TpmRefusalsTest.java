package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.TpmKeyProvider;
import dev.keytrust.lab.DictionaryAttackAdmin;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.lab.Tpm2Tools;
import dev.keytrust.secret.TestPins;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** TPM configurations keytrust refuses to work with, or must not mistake for a wrong PIN. */
class TpmRefusalsTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  @TempDir Path store;

  @Test
  void noPinProtectedKeyOnATpmWhoseDictionaryAttackProtectionIsOff() throws Exception {
    try (TpmSession s = TpmSession.open(TpmUri.parse(SWTPM.swtpm().tpmUri()));
        HelloKeys keys = HelloKeys.of(new KeyContainerStore(store), new TpmKeyProvider(s), s.describe())) {
      DictionaryAttackAdmin.setParameters(s, 3, Duration.ZERO, Duration.ZERO);
      try {
        assertThatThrownBy(() -> keys.create("nina", KeyAlgorithm.ECC_P256, TestPins.pin("1234")))
            .isInstanceOfSatisfying(KeytrustException.class,
                e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_DA_DISABLED))
            .hasMessageContaining("tpm2_dictionarylockout");
        assertThat(keys.find("nina")).isEmpty();
      } finally {
        DictionaryAttackAdmin.setParameters(s, 3, Duration.ofSeconds(1000), Duration.ofSeconds(1000));
      }
      assertThat(keys.create("nina", KeyAlgorithm.ECC_P256, TestPins.pin("1234")).keyIdHex()).hasSize(64);
    }
  }

  @Test
  void noPinProtectedKeyOnATpmThatAllowsNoFailures() throws Exception {
    try (TpmSession s = TpmSession.open(TpmUri.parse(SWTPM.swtpm().tpmUri()));
        HelloKeys keys = HelloKeys.of(new KeyContainerStore(store), new TpmKeyProvider(s), s.describe())) {
      DictionaryAttackAdmin.setParameters(s, 0, Duration.ofSeconds(1000), Duration.ofSeconds(1000));
      try {
        assertThat(s.dictionaryAttackState().inLockout()).isTrue(); // a maximum of 0: locked for good
        assertThatThrownBy(() -> keys.create("pia", KeyAlgorithm.ECC_P256, TestPins.pin("1234")))
            .isInstanceOfSatisfying(KeytrustException.class,
                e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_DA_DISABLED))
            .hasMessageContaining("permanently in lockout");
        assertThat(keys.find("pia")).isEmpty();
      } finally {
        DictionaryAttackAdmin.setParameters(s, 3, Duration.ofSeconds(1000), Duration.ofSeconds(1000));
      }
    }
  }

  @Test
  void anOwnerPasswordIsReportedAsSuchNotAsAWrongPin() throws Exception {
    Tpm2Tools tools = SWTPM.tools();
    // a TPM whose owner set an owner password and holds no storage root key yet
    tools.tryRun("tpm2_evictcontrol", "-C", "o", "-c", "0x81000001");
    tools.run("tpm2_changeauth", "-c", "o", "owner-secret");
    try (HelloKeys keys = HelloKeys.open(TpmUri.parse(SWTPM.swtpm().tpmUri()), store)) {
      assertThatThrownBy(() -> keys.create("olga", KeyAlgorithm.RSA_2048, TestPins.pin("1234")))
          .isInstanceOfSatisfying(KeytrustException.class,
              e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_HIERARCHY_AUTH))
          .hasMessageContaining("owner")
          .hasMessageContaining("not about a PIN")
          .hasMessageNotContaining("owner-secret");
      assertThat(keys.find("olga")).isEmpty();
    } finally {
      tools.run("tpm2_changeauth", "-c", "o", "-p", "owner-secret");
    }
  }
}
