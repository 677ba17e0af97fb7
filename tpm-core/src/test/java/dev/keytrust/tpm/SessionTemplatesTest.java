package dev.keytrust.tpm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.tpm.session.ObjectTemplates;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The session layer creates the same user key as the TSS.Java path: the templates must not drift apart. */
class SessionTemplatesTest {
  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void theSessionLayersSigningKeyTemplateIsTpmTemplatesUserKeyTemplate(KeyAlgorithm alg) {
    assertThat(ObjectTemplates.signingKey(alg)).isEqualTo(TpmTemplates.userKeyTemplate(alg).toBytes());
  }
}
