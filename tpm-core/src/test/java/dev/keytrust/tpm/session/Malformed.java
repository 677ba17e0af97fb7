package dev.keytrust.tpm.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The one assertion of the parser tests: refused as a malformed TPM structure, a TPM_TRANSPORT error. */
final class Malformed {
  private Malformed() {}

  static void refused(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT))
        .hasMessageContaining("is malformed");
  }
}
