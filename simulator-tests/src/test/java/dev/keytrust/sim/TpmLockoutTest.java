package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.LockedOutException;
import dev.keytrust.error.WrongPinException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.key.TpmKeyProvider;
import dev.keytrust.lab.DictionaryAttackAdmin;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.secret.TestPins;
import dev.keytrust.tpm.DictionaryAttackState;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The TPM's dictionary-attack lockout as keytrust reports it, on its own swtpm. */
class TpmLockoutTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();

  @TempDir Path store;

  @Test
  void lockoutAfterMaxTriesSaysWhenToRetryAndEnds() throws Exception {
    TpmUri uri = TpmUri.parse(SWTPM.swtpm().tpmUri());
    // swtpm serves one client at a time: the keys and the lab calls share one session
    try (TpmSession s = TpmSession.open(uri);
        HelloKeys keys = HelloKeys.of(new KeyContainerStore(store), new TpmKeyProvider(s), s.describe())) {
      // 3 tries; one failure forgotten every 2 s
      DictionaryAttackAdmin.setParameters(s, 3, Duration.ofSeconds(2), Duration.ofSeconds(2));
      KeyContainer key = keys.create("mallory", KeyAlgorithm.ECC_P256, TestPins.pin("1234"));
      byte[] message = {42};

      assertThatThrownBy(() -> keys.sign("mallory", message, TestPins.pin("0000")))
          .isInstanceOfSatisfying(WrongPinException.class, e -> assertThat(e.triesLeft()).hasValue(2));
      assertThatThrownBy(() -> keys.sign("mallory", message, TestPins.pin("0000")))
          .isInstanceOfSatisfying(WrongPinException.class, e -> assertThat(e.triesLeft()).hasValue(1));
      // the third wrong PIN reaches maxTries: the TPM is now locked out
      assertThatThrownBy(() -> keys.sign("mallory", message, TestPins.pin("0000")))
          .isInstanceOfSatisfying(LockedOutException.class, e -> {
            assertThat(e.code()).isEqualTo(CoreErrorCode.LOCKED_OUT);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(2));
          })
          .hasMessageContaining("retry in 2 s");
      // even the right PIN is refused while locked out, with the time to wait
      assertThatThrownBy(() -> keys.sign("mallory", message, TestPins.pin("1234")))
          .isInstanceOfSatisfying(LockedOutException.class,
              e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(2)))
          .hasMessageContaining("tpm2_dictionarylockout");

      assertThat(s.dictionaryAttackState().inLockout()).isTrue();
      awaitLockoutEnd(s);
      assertThat(TpmKeysOnSwtpmTest.verifies(key, message, keys.sign("mallory", message, TestPins.pin("1234"))))
          .isTrue();
    }
  }

  /** Waits (bounded) for the TPM to forget a failure; this waits, it does not assert on timing. */
  private static void awaitLockoutEnd(TpmSession s) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      DictionaryAttackState da = s.dictionaryAttackState();
      if (!da.inLockout()) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the TPM stayed in lockout for 30 s although it forgets a failure every 2 s");
  }
}
