package dev.keytrust.attest;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;

/**
 * An attestation that was read but failed a check: {@link CoreErrorCode#ATTEST_REFUSED}, with the
 * number and name of the verification step that refused it (as the verifier documents its steps).
 */
public final class AttestationRefusedException extends KeytrustException {
  private static final long serialVersionUID = 1L;
  private final int step;
  private final String stepName;

  public AttestationRefusedException(int step, String stepName, String why) {
    this(step, stepName, why, null);
  }

  public AttestationRefusedException(int step, String stepName, String why, Throwable cause) {
    super(CoreErrorCode.ATTEST_REFUSED, "Attestation refused at step " + step + " (" + stepName + "): " + why,
        cause);
    this.step = step;
    this.stepName = stepName;
  }

  /** The number of the verification step that failed. */
  public int step() {
    return step;
  }

  public String stepName() {
    return stepName;
  }
}
