package dev.keytrust.agent.pam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.LockedOutException;
import dev.keytrust.error.WrongPinException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which PAM result each keytrust error is, and the line that goes with it. */
class PamResultsTest {

  @Test
  void aLockedKeySaysWhenToRetry() {
    PamOutcome o = PamResults.of(new LockedOutException(Duration.ofMinutes(10), "The TPM is in lockout."));
    assertThat(o.result()).isEqualTo(PamResult.MAXTRIES);
    assertThat(o.result().exitCode()).isEqualTo(11);
    assertThat(o.line()).isEqualTo("keytrust: locked: the key is locked after too many wrong PINs;"
        + " retry in 10 min, or sign in another way [KT-0202]");
  }

  @Test
  void aWrongPinSaysTheTriesLeft() {
    assertThat(PamResults.of(new WrongPinException(1, "Wrong PIN.")).line())
        .isEqualTo("keytrust: auth error: wrong PIN (1 try left before the key locks) [KT-0201]");
    assertThat(PamResults.of(new WrongPinException(-1, "Wrong PIN.")).line())
        .isEqualTo("keytrust: auth error: wrong PIN [KT-0201]");
  }

  @Test
  void judgedAndRefusedIsAnAuthErrorCannotJudgeIsUnavailableSetUpWrongIsAServiceError() {
    assertThat(PamResults.result(AgentErrorCode.KINIT_KEY_NOT_TRUSTED)).isEqualTo(PamResult.AUTH_ERR);
    assertThat(PamResults.result(AgentErrorCode.KINIT_NAME_MISMATCH)).isEqualTo(PamResult.AUTH_ERR);
    assertThat(PamResults.result(AgentErrorCode.KINIT_KDC_UNREACHABLE)).isEqualTo(PamResult.AUTHINFO_UNAVAIL);
    assertThat(PamResults.result(AgentErrorCode.KINIT_KDC_CERT_UNTRUSTED)).isEqualTo(PamResult.AUTHINFO_UNAVAIL);
    assertThat(PamResults.result(AgentErrorCode.KINIT_CLOCK_SKEW)).isEqualTo(PamResult.AUTHINFO_UNAVAIL);
    assertThat(PamResults.result(CoreErrorCode.TPM_UNREACHABLE)).isEqualTo(PamResult.AUTHINFO_UNAVAIL);
    assertThat(PamResults.result(CoreErrorCode.KEY_NOT_FOUND)).isEqualTo(PamResult.AUTHINFO_UNAVAIL);
    assertThat(PamResults.result(AgentErrorCode.PAM_NO_KEY)).isEqualTo(PamResult.AUTHINFO_UNAVAIL);
    assertThat(PamResults.result(AgentErrorCode.PAM_CONFIG_INVALID)).isEqualTo(PamResult.SERVICE_ERR);
    assertThat(PamResults.result(AgentErrorCode.KINIT_KDC_CA_FILE)).isEqualTo(PamResult.SERVICE_ERR);
    assertThat(PamResults.result(AgentErrorCode.PAM_CALLER_NOT_ALLOWED)).isEqualTo(PamResult.PERM_DENIED);
    assertThat(PamResults.result(AgentErrorCode.KINIT_CCACHE_WRITE)).isEqualTo(PamResult.SYSTEM_ERR);
    assertThat(PamResults.result(CoreErrorCode.INTERNAL)).isEqualTo(PamResult.SYSTEM_ERR);
  }

  @Test
  void everyCodeHasAResultAndTheLineIsOneLine() {
    for (AgentErrorCode c : AgentErrorCode.values()) {
      assertThat(PamResults.result(c)).as(c.id()).isNotNull();
    }
    for (CoreErrorCode c : CoreErrorCode.values()) {
      assertThat(PamResults.result(c)).as(c.id()).isNotNull();
    }
    KeytrustException e = new AgentException(AgentErrorCode.KINIT_KDC_UNREACHABLE, "No KDC\n  at all.");
    assertThat(PamResults.of(e).line()).isEqualTo("keytrust: unavailable: No KDC at all. [KT-1718]");
  }
}
